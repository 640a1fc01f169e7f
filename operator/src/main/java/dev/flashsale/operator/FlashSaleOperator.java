package dev.flashsale.operator;

import dev.flashsale.core.SaleStore;
import dev.flashsale.operator.HttpEndpoints.Check;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator process: Redis connections, the JOSDK Operator with its one controller, leader election,
 * metrics and probes. {@link #close()} is the graceful shutdown: in-flight reconciliations finish, the
 * Lease is left to expire, connections close.
 */
public final class FlashSaleOperator implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FlashSaleOperator.class);

    private final OperatorConfig config;
    private final RedisClient redis;
    private final StatefulRedisConnection<String, String> connection;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Operator operator;
    private final AtomicBoolean leader = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private HttpEndpoints http;

    public FlashSaleOperator(OperatorConfig config, KubernetesClient client) {
        this.config = config;
        RedisURI uri = RedisURI.create(config.redisUrl());
        uri.setClientName(clientName(config.identity()));
        redis = RedisClient.create(uri);
        // A blocked reconciliation must not wait forever for a Redis that is gone; JOSDK retries it.
        redis.setOptions(ClientOptions.builder().timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(5))).build());
        connection = redis.connect();
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        Gauge.builder("flashsale.operator.leader", leader, l -> l.get() ? 1 : 0)
                .description("1 while this instance holds the Lease and reconciles").register(registry);

        operator = new Operator(o -> {
            o.withKubernetesClient(client)
                    .withMetrics(MicrometerMetrics.newPerResourceCollectingMicrometerMetricsBuilder(registry).build())
                    .withReconciliationTerminationTimeout(Duration.ofSeconds(20));
            if (config.leaderElection()) {
                LeaderElectionConfigurationBuilder election = LeaderElectionConfigurationBuilder
                        .aLeaderElectionConfiguration(config.leaseName())
                        .withIdentity(config.identity())
                        .withLeaseDuration(config.leaseDuration())
                        .withRenewDeadline(config.renewDeadline())
                        .withRetryPeriod(config.retryPeriod())
                        // JOSDK's own exit would call System.exit from within our shutdown hook
                        // (operator.stop() ends leading too) and hang the JVM; see onLostLease
                        .withExitOnStopLeading(false)
                        .withLeaderCallbacks(new LeaderCallbacks(
                                () -> leader.set(true),
                                this::onLostLease,
                                id -> log.info("leader is now {}", id)));
                config.leaseNamespace().ifPresent(election::withLeaseNamespace);
                o.withLeaderElectionConfiguration(election.build());
            }
        });
        if (!config.leaderElection()) {
            leader.set(true);
        }
        Clock clock = Clock.systemUTC();
        EventRecorder events = new EventRecorder(client, config.identity(), clock);
        Optional<SaleApiScaler> scaler = config.saleApi().map(ref -> new SaleApiScaler(ref, clock));
        if (scaler.isEmpty()) {
            log.info("FLASHSALE_SALE_API_DEPLOYMENT is not set: spec.scaling is ignored");
        }
        FlashSaleReconciler reconciler = new FlashSaleReconciler(new SaleStore(connection.reactive()), redis, events,
                scaler, config, registry, clock);
        operator.register(reconciler, c -> {
            c.withRetry(new GenericRetry().setInitialInterval(Duration.ofSeconds(1)).setIntervalMultiplier(2)
                    .setMaxInterval(Duration.ofSeconds(30).toMillis()).withoutMaxAttempts());
            // every sale is reconciled at least this often: the safety net for a lost pub/sub message
            c.withReconciliationMaxInterval(config.resync());
            if (config.watchNamespaces().isEmpty()) {
                c.watchingAllNamespaces();
            } else {
                c.settingNamespaces(config.watchNamespaces());
            }
        });
    }

    /** How this instance shows in Redis' CLIENT LIST (no spaces allowed there). */
    static String clientName(String identity) {
        return "flashsale-operator:" + identity.replaceAll("\\s", "_");
    }

    /**
     * Leading ends on shutdown, and when the Lease could not be renewed in time. In the second case
     * another instance may already be reconciling and this one cannot compete again: exit so that the
     * pod restarts (from a thread of its own, as System.exit waits for the shutdown hooks).
     */
    private void onLostLease() {
        leader.set(false);
        if (!stopping.get() && config.exitOnLostLeadership()) {
            log.error("lost the Lease {}: exiting to restart as a candidate", config.leaseName());
            Thread exit = new Thread(() -> System.exit(1), "lost-lease-exit");
            exit.setDaemon(true);
            exit.start();
        }
    }

    /** Starts watching and (once leader) reconciling; returns at once. */
    public void start() {
        operator.start();
        try {
            http = new HttpEndpoints(config.httpHost(), config.httpPort(), registry, this::liveness, this::readiness);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + config.httpHost() + ":" + config.httpPort(), e);
        }
        log.info("operator {} started; metrics and probes on port {}", config.identity(), http.port());
    }

    public int httpPort() {
        return http.port();
    }

    public boolean isLeader() {
        return leader.get();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    private Check liveness() {
        return stopping.get() ? new Check(false, "shutting down") : new Check(true, "ok");
    }

    private Check readiness() {
        if (stopping.get() || !operator.getRuntimeInfo().isStarted()) {
            return new Check(false, "not started");
        }
        if (!operator.getRuntimeInfo().allEventSourcesAreHealthy()) {
            return new Check(false, "unhealthy event sources: " + operator.getRuntimeInfo().unhealthyEventSources());
        }
        try {
            connection.sync().ping();
        } catch (RuntimeException e) {
            return new Check(false, "Redis: " + e.getMessage());
        }
        return new Check(true, leader.get() ? "ready (leader)" : "ready (standby)");
    }

    @Override
    public void close() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        log.info("operator {} stopping", config.identity());
        operator.stop();
        connection.close();
        redis.shutdown();
        if (http != null) {
            http.close();
        }
        registry.close();
        leader.set(false);
    }
}
