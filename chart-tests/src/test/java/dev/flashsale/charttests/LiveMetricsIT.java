package dev.flashsale.charttests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flashsale.charttests.Chart.Container;
import dev.flashsale.charttests.Chart.Manifests;
import dev.flashsale.charttests.PromQl.Matcher;
import dev.flashsale.core.SaleKeys;
import dev.flashsale.testing.JavaProcess;
import dev.flashsale.testing.Repo;
import dev.flashsale.testing.TestRedis;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Acceptance 2: every metric that the dashboard and the alert rules query is one that the services
 * really export. sale-api and the operator run from their jars as the chart configures them (the
 * rendered containers' environment, resolved like the kubelet does, against the real Redis,
 * PostgreSQL and Kafka of the test profile and a real kube-apiserver; the operator with only the
 * chart's RBAC, as its ServiceAccount by impersonation); a FlashSale with checkout is declared, a
 * purchase made and persisted, paid, and paid again (a late payment), and a second sale made to fail
 * in Redis, so that lazily registered meters exist; then both are scraped where the ServiceMonitor
 * and PodMonitor scrape them.
 */
class LiveMetricsIT {

    /** sale-core's keys are per logical database: this one is ours, apart from the other suites' tests. */
    private static final int REDIS_DATABASE = 7;
    private static final String SALES_NAMESPACE = "shop";
    private static final Path LOGS = Path.of("target/live");
    /** The payment webhook's secret, in the Secret the chart is told to read it from. */
    private static final String WEBHOOK_SECRET = "chart-tests-webhook-secret";
    /** Labels Prometheus adds to every target (the monitors' relabelings add theirs). */
    private static final Set<String> TARGET_LABELS = Set.of("namespace", "pod", "service", "endpoint", "container", "job", "instance");
    /**
     * Label values that a healthy run cannot produce, with the reason they are real: checked by name,
     * not by value.
     */
    private static final Map<String, String> VALUES_ONLY_IN_TROUBLE = Map.of(
            "status=~5..", "an HTTP status of a server error");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static KubernetesClient client;
    private static Manifests manifests;
    private static final List<JavaProcess> processes = new ArrayList<>();
    private static String saleApi;
    private static String saleId;
    private static String brokenSaleId;
    private static Scrape scraped;

    @BeforeAll
    static void startSellAndScrape() throws Exception {
        client = KubeApi.client();
        KubeApi.ensureNamespaces(client, List.of(Chart.NAMESPACE, SALES_NAMESPACE));
        Services services = Services.fromEnv();
        int httpPort = freePort();
        manifests = Chart.defaults()
                .set("redis.host", services.redis().getHost()).set("redis.port", services.redis().getPort())
                .set("redis.database", REDIS_DATABASE)
                .set("postgresql.host", services.postgres().getHost()).set("postgresql.port", services.postgres().getPort())
                .set("postgresql.database", services.postgres().getPath().substring(1))
                .set("postgresql.auth.username", services.dbUser())
                .set("kafka.bootstrapServers", services.kafka())
                .set("kafka.topics.purchases", "chart-tests.purchases").set("kafka.topics.deadLetter", "chart-tests.purchases.DLT")
                .set("saleApi.port", httpPort).set("saleApi.managementPort", freePort()).set("operator.port", freePort())
                .set("monitoring.enabled", true)
                // no identity provider here: the purchase names its shopper in X-User-Id
                .set("saleApi.auth.mode", "none").set("saleApi.auth.allowUnauthenticatedShoppers", true)
                .set("saleApi.checkout.webhookSecret.existingSecret", "flashsale-payments")
                // a reconciliation pass every second, so that its per-sale gauges exist soon
                .set("saleApi.extraEnv[0].name", "FLASHSALE_RECONCILIATION_INTERVAL").set("saleApi.extraEnv[0].value", "1s")
                .manifests();
        saleApi = "http://127.0.0.1:" + httpPort;
        start(services);

        String suffix = UUID.randomUUID().toString().substring(0, 6);
        saleId = "chart-tests-" + suffix;
        sellOneUnit();
        // a key of the wrong type where the sale's hash belongs: the operator's script fails in Redis
        brokenSaleId = "chart-tests-broken-" + suffix;
        redis(c -> c.set(SaleKeys.of(brokenSaleId).meta(), "not a hash"));
        declareSale(brokenSaleId, null);
        await().atMost(Duration.ofSeconds(20)).until(() -> "ReconcileFailed".equals(readyReason(brokenSaleId)));

        scraped = scrape(container("flashsale-sale-api"), manifests.one("ServiceMonitor"), "spec.endpoints.0")
                .plus(scrape(container("flashsale-operator"), manifests.one("PodMonitor"), "spec.podMetricsEndpoints.0"));
    }

    /** Both services from their jars with the rendered environment; ready as the chart's probes see it. */
    private static void start(Services services) throws IOException {
        Map<String, String> secrets = Map.of("flashsale-postgresql/password", services.dbPassword(),
                "flashsale-payments/webhook-secret", WEBHOOK_SECRET);
        Container api = container("flashsale-sale-api");
        JavaProcess apiProcess = JavaProcess.of("sale-api", Repo.jar("sale-api", "sale-api-.*\\.jar")).jvm(List.of("-Xmx384m"))
                .onlyEnv(loopback(PodEnv.resolve(api.env(), secrets, pod("flashsale-sale-api-0")), "FLASHSALE_BIND",
                        "MANAGEMENT_SERVER_ADDRESS"))
                .logDir(LOGS).start();
        processes.add(apiProcess);

        Container op = container("flashsale-operator");
        Map<String, String> operatorEnv = loopback(PodEnv.resolve(op.env(), secrets, pod("flashsale-operator-0")),
                "FLASHSALE_OPERATOR_HOST");
        operatorEnv.put("KUBECONFIG", KubeApi.kubeConfigFile().toString());
        // the operator acts with exactly the chart's RBAC, applied for real
        for (String kind : List.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")) {
            manifests.ofKind(kind).forEach(doc -> client.resource(KubeApi.resource(doc)).fieldManager("chart-tests").serverSideApply());
        }
        String account = Yaml.at(op.deployment(), "spec.template.spec.serviceAccountName");
        operatorEnv.put("KUBERNETES_IMPERSONATE_USERNAME", "system:serviceaccount:" + Chart.NAMESPACE + ":" + account);
        operatorEnv.put("KUBERNETES_IMPERSONATE_GROUP", "system:serviceaccounts,system:serviceaccounts:" + Chart.NAMESPACE
                + ",system:authenticated");
        JavaProcess operatorProcess = JavaProcess.of("operator", Repo.path("operator/target/flashsale-operator.jar"))
                .jvm(List.of("-Xmx256m")).onlyEnv(operatorEnv).logDir(LOGS).start();
        processes.add(operatorProcess);

        apiProcess.awaitReady(probe(api, "readinessProbe"), Duration.ofSeconds(90));
        operatorProcess.awaitReady(probe(op, "readinessProbe"), Duration.ofSeconds(60));
    }

    /**
     * A sale with checkout opens, one unit is held over HTTP and travels through the outbox, Kafka and
     * PostgreSQL to the status; the provider pays it, then pays it again under another payment id.
     */
    private static void sellOneUnit() throws Exception {
        declareSale(saleId, "10m");
        await().atMost(Duration.ofSeconds(20)).until(() -> get(URI.create(saleApi + "/api/v1/sales/" + saleId))
                .contains("\"state\":\"ACTIVE\""));
        HttpResponse<String> bought = HTTP.send(HttpRequest.newBuilder(URI.create(saleApi + "/api/v1/sales/" + saleId + "/purchases"))
                .header("X-User-Id", "chart-tests-shopper").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"qty\":1}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bought.statusCode()).as(bought.body()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(30)).until(() -> Long.valueOf(1).equals(
                Optional.ofNullable(sale(saleId)).map(s -> Yaml.<Number>at(s.getAdditionalProperties(), "status.persisted"))
                        .map(Number::longValue).orElse(null)));
        String purchaseId = Yaml.at(Yaml.parse(bought.body()), "data.purchaseId");
        HttpResponse<String> paid = pay(purchaseId, "chart-tests-payment-1");
        assertThat(paid.statusCode()).as(paid.body()).isEqualTo(200);
        HttpResponse<String> late = pay(purchaseId, "chart-tests-payment-2");
        assertThat(late.body()).as("a second payment is a late one").contains("ALREADY_PAID");
    }

    /** The payment provider's webhook call, signed with the secret as the contract says. */
    private static HttpResponse<String> pay(String purchaseId, String paymentId) throws Exception {
        byte[] body = "{\"type\":\"payment.succeeded\",\"purchaseId\":\"%s\",\"paymentId\":\"%s\",\"amount\":100}"
                .formatted(purchaseId, paymentId).getBytes(StandardCharsets.UTF_8);
        long t = Instant.now().getEpochSecond();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
        return HTTP.send(HttpRequest.newBuilder(URI.create(saleApi + "/api/v1/payments/events"))
                .header("Flashsale-Signature", "t=" + t + ",v1=" + HexFormat.of().formatHex(mac.doFinal(body)))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** What a monitor's endpoint scrapes; the text is kept next to the logs, to see what was exported. */
    private static Scrape scrape(Container c, Map<String, Object> monitor, String endpoint) throws IOException, InterruptedException {
        String text = get(URI.create("http://127.0.0.1:" + port(c, Yaml.at(monitor, endpoint + ".port"))
                + Yaml.at(monitor, endpoint + ".path")));
        Files.writeString(LOGS.resolve(c.workload() + ".prom"), text);
        return Scrape.parse(text);
    }

    @AfterAll
    static void stop() {
        try {
            if (brokenSaleId != null) {
                redis(c -> c.del(SaleKeys.of(brokenSaleId).meta()));
            }
            // the operator removes each sale's keys from Redis (all persisted) and then its finalizer
            for (String id : new String[] {saleId, brokenSaleId}) {
                if (id != null && sale(id) != null) {
                    client.resource(sale(id)).delete();
                    await().atMost(Duration.ofSeconds(30)).until(() -> sale(id) == null);
                }
            }
        } finally {
            for (int i = processes.size() - 1; i >= 0; i--) {
                processes.get(i).close();
            }
            client.close();
        }
    }

    @Test
    void everyMetricQueriedIsExported() {
        Map<String, String> missing = new LinkedHashMap<>();
        queried().forEach((metric, uses) -> {
            if (!scraped.has(metric)) {
                missing.put(metric, "queried by " + uses.size() + " expression(s)");
            }
        });
        assertThat(missing).as("metrics queried but not exported; exported are %s", new TreeSet<>(scraped.series().keySet()))
                .isEmpty();
        assertThat(queried()).containsKeys("flashsale_purchases_total", "flashsale_operator_leader",
                "operator_sdk_reconciliations_failed_total", "kafka_consumer_fetch_manager_records_lag_max",
                "jvm_memory_used_bytes");
    }

    /** The latency percentiles need the buckets the chart asks for (MANAGEMENT_METRICS_DISTRIBUTION_SLO_...). */
    @Test
    void httpLatencyHasTheChartsBuckets() {
        Set<String> le = scraped.of("http_server_requests_seconds_bucket").stream()
                .filter(s -> "/api/v1/sales/{saleId}/purchases".equals(s.get("uri")))
                .map(s -> s.get("le")).collect(Collectors.toCollection(TreeSet::new));
        assertThat(le).hasSize(Yaml.<List<?>>at(Yaml.read(ChartFiles.CHART.resolve("values.yaml")), "saleApi.httpLatencyBuckets").size() + 1)
                .contains("0.0025", "0.015", "+Inf");
    }

    /**
     * A matcher on a label the metric does not have, or on values it never takes, silently matches
     * nothing. (Grafana variables such as $sale are not checked by value.)
     */
    @Test
    void everyLabelQueriedExists() {
        Set<String> external = new TreeSet<>(TARGET_LABELS);
        Stream.concat(Yaml.list(manifests.one("PodMonitor"), "spec.podMetricsEndpoints.0.relabelings").stream(),
                        Yaml.list(manifests.one("ServiceMonitor"), "spec.endpoints.0.relabelings").stream())
                .map(r -> (String) r.get("targetLabel")).forEach(external::add);
        List<String> wrong = new ArrayList<>();
        queried().forEach((metric, uses) -> {
            List<Map<String, String>> series = scraped.of(metric);
            for (List<Matcher> matchers : uses) {
                for (Matcher m : matchers) {
                    if (external.contains(m.label())) {
                        continue;
                    }
                    boolean labelExists = series.stream().anyMatch(s -> s.containsKey(m.label()));
                    boolean valueExists = !m.selects() || m.value().contains("$")
                            || VALUES_ONLY_IN_TROUBLE.containsKey(m.label() + m.op() + m.value())
                            || series.stream().map(s -> s.get(m.label())).anyMatch(v -> v != null && m.matches(v));
                    if (!labelExists || !valueExists) {
                        wrong.add(metric + "{" + m.label() + m.op() + "\"" + m.value() + "\"}: exported "
                                + series.stream().map(s -> s.get(m.label())).collect(Collectors.toSet()));
                    }
                }
            }
        });
        assertThat(wrong).isEmpty();
    }

    /** The health check of deploy/argocd on the live objects the operator maintains. */
    @Test
    void argoHealthFollowsTheLiveSales() {
        String script = Repo.read(ArgoHealth.FLASHSALE.resolve("health.lua"));
        assertThat(ArgoHealth.evaluate(script, object(sale(saleId)))).isEqualTo(new ArgoHealth.Result("Healthy", "Active: 9 of 10 units left"));
        assertThat(ArgoHealth.evaluate(script, object(sale(brokenSaleId))).status()).isEqualTo("Degraded");
        client.resource(sale(saleId)).edit(s -> {
            Yaml.<Map<String, Object>>at(s.getAdditionalProperties(), "spec").put("paused", true);
            return s;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> "Suspended".equals(ArgoHealth.evaluate(script, object(sale(saleId))).status()));
        assertThat(ArgoHealth.evaluate(script, object(sale(saleId))).message()).isEqualTo("Paused: 9 of 10 units left");
    }

    private static Map<String, List<List<Matcher>>> queried() {
        List<String> exprs = new ArrayList<>(Monitoring.alertExpressions(manifests));
        exprs.addAll(Monitoring.dashboardQueries(Monitoring.dashboard(manifests)));
        return PromQl.byMetric(exprs);
    }

    /** Ten units, open from two seconds from now for ten minutes; with checkout when {@code holdFor} is given. */
    private static void declareSale(String id, String holdFor) {
        Instant start = Instant.now().plusSeconds(2).truncatedTo(ChronoUnit.SECONDS);
        client.resource(KubeApi.resource(Yaml.parse("""
                apiVersion: flashsale.dev/v1alpha1
                kind: FlashSale
                metadata: {name: %s, namespace: %s}
                spec: {sku: CHART-TESTS, productName: Chart tests, initialStock: 10, startTime: "%s", endTime: "%s"%s}
                """.formatted(id, SALES_NAMESPACE, start, start.plus(Duration.ofMinutes(10)),
                holdFor == null ? "" : ", checkout: {holdFor: " + holdFor + "}")))).create();
    }

    private static GenericKubernetesResource sale(String id) {
        return client.genericKubernetesResources("flashsale.dev/v1alpha1", "FlashSale").inNamespace(SALES_NAMESPACE)
                .withName(id).get();
    }

    private static String readyReason(String id) {
        return Yaml.list(object(sale(id)), "status.conditions").stream().filter(c -> "Ready".equals(c.get("type")))
                .map(c -> (String) c.get("reason")).findFirst().orElse(null);
    }

    /** A command on the Redis database the chart points the services at. */
    private static void redis(java.util.function.Consumer<RedisCommands<String, String>> command) {
        try (TestRedis redis = new TestRedis(REDIS_DATABASE)) {
            command.accept(redis.sync());
        }
    }

    private static Map<String, Object> object(GenericKubernetesResource r) {
        return Yaml.parse(Serialization.asJson(r));
    }

    private static Container container(String workload) {
        return manifests.containers().stream().filter(c -> c.workload().equals(workload)).findFirst().orElseThrow();
    }

    /** The container port behind a port name, as a monitor resolves it. */
    private static int port(Container c, String name) {
        return Yaml.list(c.spec(), "ports").stream().filter(p -> name.equals(p.get("name")))
                .map(p -> ((Number) p.get("containerPort")).intValue()).findFirst().orElseThrow();
    }

    /** Where the kubelet would send a probe of the container, on loopback. */
    private static String probe(Container c, String probe) {
        return "http://127.0.0.1:" + port(c, Yaml.at(c.spec(), probe + ".httpGet.port")) + Yaml.at(c.spec(), probe + ".httpGet.path");
    }

    private static Map<String, String> pod(String name) {
        return Map.of("metadata.name", name, "metadata.namespace", Chart.NAMESPACE);
    }

    /** On a shared test machine the services listen on loopback, not on every interface as in a pod. */
    private static Map<String, String> loopback(Map<String, String> env, String... addressVariables) {
        Map<String, String> out = new HashMap<>(env);
        for (String v : addressVariables) {
            assertThat(out).containsKey(v);
            out.put(v, "127.0.0.1");
        }
        return out;
    }

    private static String get(URI uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The services of the test profile, as `./flashsale test` exports them (scripts/services.sh env). */
    record Services(URI redis, URI postgres, String dbUser, String dbPassword, String kafka) {
        static Services fromEnv() {
            Function<String, String> env = name -> Optional.ofNullable(System.getenv(name)).orElseThrow(() ->
                    new IllegalStateException(name + " is not set: run the tests with ./flashsale test"));
            return new Services(URI.create(env.apply("FLASHSALE_REDIS_URL")),
                    URI.create(env.apply("FLASHSALE_JDBC_URL").substring("jdbc:".length())),
                    env.apply("FLASHSALE_DB_USER"), env.apply("FLASHSALE_DB_PASSWORD"), env.apply("FLASHSALE_KAFKA_BOOTSTRAP"));
        }
    }
}
