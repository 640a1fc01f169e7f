package dev.flashsale.operator;

import dev.flashsale.operator.crd.GoDuration;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Everything the operator can be told, read from environment variables (documented in
 * docs/operator.md). Tests build it directly.
 *
 * @param watchNamespaces  empty: every namespace
 * @param saleApi          the sale-api Deployment that spec.scaling resizes; empty disables scaling
 * @param leaseNamespace   empty: the namespace of the Kubernetes client's context
 * @param statusInterval   Redis events of one sale within this window cause one status update
 * @param resync           longest time between two reconciliations of a sale (JOSDK's maximum
 *                         reconciliation interval), a safety net for a lost pub/sub message
 * @param httpPort         metrics and probes; 0 picks a free port (tests)
 */
public record OperatorConfig(String redisUrl, Set<String> watchNamespaces, Optional<DeploymentRef> saleApi,
                             boolean leaderElection, String leaseName, Optional<String> leaseNamespace,
                             String identity, Duration leaseDuration, Duration renewDeadline, Duration retryPeriod,
                             boolean exitOnLostLeadership, Duration statusInterval, Duration resync,
                             String httpHost, int httpPort) {

    /** namespace/name of a Deployment. */
    public record DeploymentRef(String namespace, String name) {
        static DeploymentRef parse(String text) {
            String[] parts = text.split("/", -1);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new IllegalArgumentException("FLASHSALE_SALE_API_DEPLOYMENT must be namespace/name, got " + text);
            }
            return new DeploymentRef(parts[0].strip(), parts[1].strip());
        }

        @Override
        public String toString() {
            return namespace + "/" + name;
        }
    }

    public static OperatorConfig fromEnv(Map<String, String> env) {
        String redisUrl = env.get("FLASHSALE_REDIS_URL");
        if (redisUrl == null || redisUrl.isBlank()) {
            throw new IllegalArgumentException("FLASHSALE_REDIS_URL is required, e.g. redis://127.0.0.1:6379");
        }
        return new OperatorConfig(redisUrl,
                Arrays.stream(env.getOrDefault("FLASHSALE_WATCH_NAMESPACES", "").split(","))
                        .map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet()),
                Optional.ofNullable(env.get("FLASHSALE_SALE_API_DEPLOYMENT")).filter(s -> !s.isBlank()).map(DeploymentRef::parse),
                Boolean.parseBoolean(env.getOrDefault("FLASHSALE_LEADER_ELECTION", "true")),
                env.getOrDefault("FLASHSALE_LEASE_NAME", "flashsale-operator"),
                Optional.ofNullable(env.getOrDefault("FLASHSALE_LEASE_NAMESPACE", env.get("POD_NAMESPACE"))).filter(s -> !s.isBlank()),
                Optional.ofNullable(env.get("POD_NAME")).filter(s -> !s.isBlank()).orElseGet(OperatorConfig::defaultIdentity),
                Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2), true,
                GoDuration.parse(env.getOrDefault("FLASHSALE_STATUS_INTERVAL", "250ms")),
                GoDuration.parse(env.getOrDefault("FLASHSALE_RESYNC_INTERVAL", "60s")),
                env.getOrDefault("FLASHSALE_OPERATOR_HOST", "0.0.0.0"),
                Integer.parseInt(env.getOrDefault("FLASHSALE_OPERATOR_PORT", "8081")));
    }

    /** Outside a pod: the host name plus a random suffix, so two local instances never share an identity. */
    private static String defaultIdentity() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "operator";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
