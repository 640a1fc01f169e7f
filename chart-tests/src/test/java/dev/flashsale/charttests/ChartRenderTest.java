package dev.flashsale.charttests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.charttests.Chart.Container;
import dev.flashsale.charttests.Chart.Manifests;
import dev.flashsale.testing.Repo;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** helm template with the default and the production-like values: what a reviewer of the manifests checks. */
class ChartRenderTest {

    private static final Manifests DEFAULTS = Chart.defaults().manifests();
    private static final Manifests PRODUCTION = Chart.production().manifests();
    private static final String OPERATOR = "flashsale-operator";
    private static final String SALE_API = "flashsale-sale-api";
    private static final Pattern CREDENTIAL_NAME = Pattern.compile("PASSWORD|SECRET|TOKEN|JAAS", Pattern.CASE_INSENSITIVE);
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    static Stream<Arguments> renders() {
        return Stream.of(Arguments.of("default values", DEFAULTS), Arguments.of("production values", PRODUCTION));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renders")
    void podsRunLockedDown(String name, Manifests m) {
        for (Map<String, Object> d : m.ofKind("Deployment")) {
            Map<String, Object> pod = Yaml.at(d, "spec.template.spec.securityContext");
            assertThat(pod).as("pod securityContext of %s", Yaml.<String>at(d, "metadata.name"))
                    .containsEntry("runAsNonRoot", true)
                    .containsEntry("seccompProfile", Map.of("type", "RuntimeDefault"));
        }
        assertThat(m.containers()).hasSize(2).allSatisfy(c -> assertThat(Yaml.<Map<String, Object>>at(c.spec(), "securityContext"))
                .as("securityContext of %s", c.workload())
                .containsEntry("allowPrivilegeEscalation", false)
                .containsEntry("readOnlyRootFilesystem", true)
                .containsEntry("privileged", false)
                .containsEntry("capabilities", Map.of("drop", List.of("ALL"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renders")
    void containersHaveResourcesAndProbes(String name, Manifests m) {
        assertThat(m.containers()).allSatisfy(c -> {
            assertThat(Yaml.<Object>at(c.spec(), "resources.requests.cpu")).as("cpu request of %s", c.workload()).isNotNull();
            assertThat(Yaml.<Object>at(c.spec(), "resources.requests.memory")).as("memory request of %s", c.workload()).isNotNull();
            assertThat(Yaml.<Object>at(c.spec(), "resources.limits.memory")).as("memory limit of %s", c.workload()).isNotNull();
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                assertThat(Yaml.<String>at(c.spec(), probe + ".httpGet.path")).as("%s of %s", probe, c.workload()).startsWith("/");
            }
        });
        assertThat(Yaml.<String>at(container(m, SALE_API).spec(), "readinessProbe.httpGet.path")).isEqualTo("/readyz");
        assertThat(Yaml.<String>at(container(m, OPERATOR).spec(), "readinessProbe.httpGet.path")).isEqualTo("/readyz");
    }

    /** Credentials only ever come from Secrets: none is rendered, and the chart creates no Secret. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("renders")
    void noPlaintextCredential(String name, Manifests m) {
        assertThat(m.kinds()).doesNotContain("Secret");
        for (Container c : m.containers()) {
            for (Map<String, Object> env : c.env()) {
                String var = (String) env.get("name");
                String value = (String) env.get("value");
                if (CREDENTIAL_NAME.matcher(var).find() && !var.endsWith("JAAS_CONFIG")) {
                    assertThat(Yaml.<String>at(env, "valueFrom.secretKeyRef.name")).as("%s of %s", var, c.workload()).isNotBlank();
                }
                if (value != null && value.contains("password")) {
                    assertThat(value).as("%s of %s", var, c.workload()).containsPattern("password=\"\\$\\([A-Z_]+\\)\"");
                }
                if (value != null && value.contains("@")) {
                    assertThat(value).as("%s of %s: credentials in a URL only by reference", var, c.workload())
                            .matches("[a-z]+://[^:@/]*:\\$\\([A-Z_]+\\)@.*");
                }
            }
        }
    }

    /** The kubelet expands $(VAR) only for variables defined earlier in the same list. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("renders")
    void envReferencesPointBackwards(String name, Manifests m) {
        for (Container c : m.containers()) {
            Set<String> defined = new HashSet<>();
            for (Map<String, Object> env : c.env()) {
                String value = (String) env.get("value");
                if (value != null) {
                    Matcher ref = ENV_REFERENCE.matcher(value);
                    while (ref.find()) {
                        assertThat(defined).as("%s of %s refers to $(%s)", env.get("name"), c.workload(), ref.group(1))
                                .contains(ref.group(1));
                    }
                }
                defined.add((String) env.get("name"));
            }
        }
    }

    @Test
    void operatorIsLeaderElectedWithTwoInstances() {
        Container operator = container(DEFAULTS, OPERATOR);
        assertThat(Yaml.<Integer>at(operator.deployment(), "spec.replicas")).isEqualTo(2);
        assertThat(operator.envVar("FLASHSALE_LEADER_ELECTION")).containsEntry("value", "true");
        assertThat(operator.envVar("FLASHSALE_LEASE_NAMESPACE")).containsEntry("value", Chart.NAMESPACE);
        assertThat(Yaml.<String>at(operator.envVar("POD_NAME"), "valueFrom.fieldRef.fieldPath")).isEqualTo("metadata.name");
        String lease = (String) operator.envVar("FLASHSALE_LEASE_NAME").get("value");
        Map<String, Object> role = DEFAULTS.get("Role", OPERATOR + "-leader-election");
        assertThat(Yaml.<List<String>>at(role, "rules.1.resourceNames")).containsExactly(lease);
        assertThat(operator.envVar("FLASHSALE_SALE_API_DEPLOYMENT")).containsEntry("value", Chart.NAMESPACE + "/" + SALE_API);
        assertThat(DEFAULTS.get("PodDisruptionBudget", OPERATOR)).isNotNull();
    }

    @Test
    void defaultsKeepOptionalObjectsOut() {
        assertThat(DEFAULTS.kinds()).containsExactlyInAnyOrder("ServiceAccount", "ServiceAccount", "ClusterRole",
                "ClusterRoleBinding", "Role", "RoleBinding", "Role", "RoleBinding", "Deployment", "Deployment", "Service",
                "PodDisruptionBudget", "PodDisruptionBudget");
        assertThat(Yaml.<Integer>at(DEFAULTS.get("Deployment", SALE_API), "spec.replicas")).isEqualTo(2);
        assertThat(container(DEFAULTS, SALE_API).envVar("FLASHSALE_RATE_LIMIT_PER_IP")).containsEntry("value", "true");
    }

    @Test
    void productionAddsAutoscalingIngressPoliciesAndMonitoring() {
        assertThat(PRODUCTION.kinds()).contains("HorizontalPodAutoscaler", "Ingress", "NetworkPolicy", "ServiceMonitor",
                "PodMonitor", "PrometheusRule", "ConfigMap");
        // the HPA owns the replica count; spec.scaling raises its minimum, found by the Deployment's name
        assertThat(Yaml.<Object>at(PRODUCTION.get("Deployment", SALE_API), "spec.replicas")).isNull();
        Map<String, Object> hpa = PRODUCTION.one("HorizontalPodAutoscaler");
        assertThat(Yaml.<String>at(hpa, "spec.scaleTargetRef.name")).isEqualTo(SALE_API);
        assertThat(Yaml.<String>at(hpa, "metadata.name")).isEqualTo(SALE_API);
        assertThat(container(PRODUCTION, OPERATOR).envVar("FLASHSALE_SALE_API_DEPLOYMENT"))
                .containsEntry("value", Chart.NAMESPACE + "/" + SALE_API);

        Map<String, Object> ingress = PRODUCTION.one("Ingress");
        assertThat(Yaml.<String>at(ingress, "spec.tls.0.secretName")).isEqualTo("shop-example-com-tls");
        assertThat(Yaml.<Map<String, String>>at(ingress, "metadata.annotations")).containsKey("nginx.ingress.kubernetes.io/limit-rps");
        assertThat(Yaml.<Object>at(ingress, "spec.rules.0.http.paths.0.backend.service.port.name")).isEqualTo("http");
        assertThat(container(PRODUCTION, SALE_API).envVar("FLASHSALE_TRUSTEDPROXIES")).containsEntry("value", "10.0.0.0/8");
        assertThat(container(PRODUCTION, SALE_API).envVar("FLASHSALE_SSE_MAXPERCLIENT")).containsEntry("value", "32");

        Map<String, Object> dashboard = PRODUCTION.one("ConfigMap");
        assertThat(Yaml.<String>at(dashboard, "metadata.namespace")).isEqualTo("monitoring");
        assertThat(Yaml.<Map<String, String>>at(dashboard, "metadata.labels")).containsEntry("grafana_dashboard", "1");
        assertThat(Yaml.<Map<String, String>>at(PRODUCTION.one("PrometheusRule"), "metadata.labels"))
                .containsEntry("release", "kube-prometheus-stack");
    }

    @Test
    void productionConnectsWithTlsAndSecrets() {
        Container api = container(PRODUCTION, SALE_API);
        assertThat((String) api.envVar("FLASHSALE_REDIS_URL").get("value")).startsWith("rediss://:$(REDIS_PASSWORD)@");
        assertThat(Yaml.<String>at(api.envVar("REDIS_PASSWORD"), "valueFrom.secretKeyRef.name")).isEqualTo("flashsale-redis");
        assertThat(Yaml.<String>at(api.envVar("FLASHSALE_DB_PASSWORD"), "valueFrom.secretKeyRef.name")).isEqualTo("flashsale-db-app");
        assertThat(api.envVar("SPRING_KAFKA_SECURITY_PROTOCOL")).containsEntry("value", "SASL_SSL");
        assertThat(Yaml.<String>at(api.envVar("KAFKA_SASL_PASSWORD"), "valueFrom.secretKeyRef.name")).isEqualTo("sale-api");
        assertThat((String) api.envVar("FLASHSALE_JDBC_URL").get("value")).endsWith("?sslmode=require");
        assertThat(Yaml.<Object>at(api.spec(), "volumeMounts.1.mountPath")).isEqualTo("/etc/flashsale/kafka-ca");
    }

    @Test
    void monitoringObjectsOnlyWhenEnabled() {
        Manifests on = Chart.defaults().set("monitoring.enabled", true).manifests();
        assertThat(on.kinds()).contains("ServiceMonitor", "PodMonitor", "PrometheusRule", "ConfigMap");
        assertThat(DEFAULTS.kinds()).doesNotContain("ServiceMonitor", "PodMonitor", "PrometheusRule", "ConfigMap");
        Manifests rulesOnly = Chart.defaults().set("monitoring.enabled", true).set("monitoring.dashboards.enabled", false).manifests();
        assertThat(rulesOnly.kinds()).contains("PrometheusRule").doesNotContain("ConfigMap");
    }

    @Test
    void ingressOnlyWhenEnabled() {
        assertThat(DEFAULTS.kinds()).doesNotContain("Ingress");
        Manifests on = Chart.defaults().set("saleApi.ingress.enabled", true).set("saleApi.trustedProxies[0]", "10.0.0.0/8")
                .manifests();
        assertThat(Yaml.<String>at(on.one("Ingress"), "spec.rules.0.host")).isEqualTo("shop.example.com");
    }

    /** sale-api never calls the Kubernetes API; the operator does, with its own account. */
    @Test
    void onlyTheOperatorGetsAnApiToken() {
        assertThat(Yaml.<Object>at(DEFAULTS.get("Deployment", SALE_API), "spec.template.spec.automountServiceAccountToken"))
                .isEqualTo(false);
        assertThat(Yaml.<Object>at(DEFAULTS.get("Deployment", OPERATOR), "spec.template.spec.serviceAccountName"))
                .isEqualTo(OPERATOR);
    }

    /**
     * The chart grants exactly the rules of operator/src/main/k8s/rbac.yaml, which the operator's
     * RbacIT proves sufficient for the whole life of a sale; only the names are the release's.
     */
    @Test
    void rbacMatchesTheOperatorsProvenRules() {
        Manifests proven = new Manifests(Repo.read("operator/src/main/k8s/rbac.yaml"));
        assertThat(rules(DEFAULTS.one("ClusterRole"))).isEqualTo(rules(proven.one("ClusterRole")));
        assertThat(rules(DEFAULTS.get("Role", OPERATOR + "-leader-election")))
                .isEqualTo(rules(proven.get("Role", "flashsale-operator-leader-election")));
        assertThat(rules(DEFAULTS.get("Role", OPERATOR + "-scaling")))
                .isEqualTo(rules(proven.get("Role", "flashsale-operator-scaling")));
        // bindings name the operator's account
        for (Map<String, Object> binding : Stream.concat(DEFAULTS.ofKind("RoleBinding").stream(),
                DEFAULTS.ofKind("ClusterRoleBinding").stream()).toList()) {
            assertThat(Yaml.<String>at(binding, "subjects.0.name")).isEqualTo(OPERATOR);
        }
    }

    @Test
    void watchedNamespacesGetRoleBindingsInsteadOfAClusterRoleBinding() {
        Manifests m = Chart.defaults().set("operator.watchNamespaces[0]", "shop").set("operator.watchNamespaces[1]", "outlet")
                .manifests();
        assertThat(m.kinds()).doesNotContain("ClusterRoleBinding");
        assertThat(m.ofKind("RoleBinding").stream().map(b -> Yaml.<String>at(b, "metadata.namespace")))
                .contains("shop", "outlet");
        assertThat(container(m, OPERATOR).envVar("FLASHSALE_WATCH_NAMESPACES")).containsEntry("value", "shop,outlet");
    }

    /** Rules without resourceNames: those name the release's own Lease and Deployment. */
    private static List<Map<String, Object>> rules(Map<String, Object> role) {
        return Yaml.list(role, "rules").stream().map(r -> {
            Map<String, Object> copy = new LinkedHashMap<>(r);
            copy.computeIfPresent("resourceNames", (k, v) -> ((List<?>) v).size());
            return copy;
        }).toList();
    }

    private static Container container(Manifests m, String workload) {
        return m.containers().stream().filter(c -> c.workload().equals(workload)).findFirst().orElseThrow();
    }
}
