package dev.flashsale.charttests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.charttests.Chart.Manifests;
import dev.flashsale.testing.Repo;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The monitoring objects as rendered: the alerts an SRE pages on, each with its runbook in
 * docs/operations.md, and a dashboard with the panels the issue asks for. Whether their metrics
 * exist is LiveMetricsIT's job.
 */
class MonitoringTest {

    private static final Manifests MONITORING = Chart.defaults().set("monitoring.enabled", true).manifests();
    private static final Map<String, Map<String, Object>> ALERTS = Monitoring.alerts(MONITORING);
    private static final Map<String, Object> DASHBOARD = Monitoring.dashboard(MONITORING);

    @Test
    void alertsCoverWhatAnSrePagesOn() {
        assertThat(ALERTS).containsKeys(
                "FlashsalePersistenceLagHigh", "FlashsalePersistenceStalled", "FlashsaleOutboxBacklogHigh",
                "FlashsaleOutboxNotDraining", "FlashsaleReconciliationMissing", "FlashsaleReconciliationExtra",
                "FlashsalePurchaseErrors", "FlashsaleRedisUnavailable", "FlashsaleLoadShedding", "FlashsaleOperatorRedisErrors",
                "FlashsaleOperatorReconcileErrors", "FlashsaleOperatorNoLeader", "FlashsaleKafkaConsumerLagHigh",
                "FlashsaleLatePayments");
    }

    @Test
    void everyAlertLinksItsRunbook() {
        String base = Yaml.at(Yaml.read(ChartFiles.CHART.resolve("values.yaml")), "monitoring.rules.runbookBaseUrl");
        Set<String> headings = Pattern.compile("(?m)^### (\\S+)$").matcher(Repo.read("docs/operations.md")).results()
                .map(m -> m.group(1)).collect(Collectors.toSet());
        ALERTS.forEach((name, rule) -> {
            assertThat(Yaml.<String>at(rule, "annotations.runbook_url")).as(name).isEqualTo(base + "#" + name.toLowerCase());
            assertThat(headings).as("docs/operations.md has a runbook section ### %s", name).contains(name);
            assertThat(Yaml.<String>at(rule, "labels.severity")).as(name).isIn("critical", "warning");
            assertThat(Yaml.<String>at(rule, "annotations.summary")).as(name).isNotBlank();
            assertThat(Yaml.<String>at(rule, "annotations.description")).as(name).isNotBlank();
        });
    }

    @Test
    void alertsAreScopedToTheRelease() {
        ALERTS.forEach((name, rule) -> PromQl.selectors((String) rule.get("expr")).forEach(s ->
                assertThat(s.matchers()).as("%s: %s", name, s.metric())
                        .contains(new PromQl.Matcher("namespace", "=", Chart.NAMESPACE))));
    }

    @Test
    void dashboardShowsWhatTheIssueAsksFor() {
        Set<String> metrics = PromQl.byMetric(Monitoring.dashboardQueries(DASHBOARD)).keySet();
        assertThat(metrics).contains(
                "flashsale_purchases_total",                  // purchase rate by outcome
                "http_server_requests_seconds_bucket",        // latency percentiles
                "flashsale_sale_remaining_stock", "flashsale_sale_sold", // stock and sold per sale
                "flashsale_sse_connections",
                "flashsale_sale_held", "flashsale_sale_confirmed", // open holds and confirmed units per sale
                "flashsale_holds_total", "flashsale_payments_total", // holds by event, late payments
                "flashsale_outbox_backlog",
                "flashsale_persistence_lag_seconds_bucket",
                "kafka_consumer_fetch_manager_records_lag_max",
                "jvm_memory_used_bytes", "jvm_gc_pause_seconds_sum", "process_cpu_usage");
    }

    @Test
    void dashboardIsWellFormedForTheSidecar() {
        assertThat(DASHBOARD).containsEntry("uid", "flashsale-overview");
        List<Map<String, Object>> panels = Monitoring.panels(DASHBOARD);
        assertThat(panels.stream().map(p -> p.get("id"))).doesNotHaveDuplicates();
        panels.stream().filter(p -> !"row".equals(p.get("type"))).forEach(p -> {
            assertThat(Yaml.<String>at(p, "datasource.uid")).as("%s", p.get("title")).isEqualTo("${datasource}");
            assertThat(Yaml.list(p, "targets")).as("%s", p.get("title")).isNotEmpty()
                    .allSatisfy(t -> assertThat((String) t.get("expr")).contains("namespace=\"$namespace\""));
        });
    }
}
