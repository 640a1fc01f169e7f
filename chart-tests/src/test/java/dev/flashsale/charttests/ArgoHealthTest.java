package dev.flashsale.charttests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.testing.Repo;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Argo CD health check of a FlashSale over the cases of its health_test.yaml (Argo CD's own test
 * layout), each input a FlashSale as the API server returns it; LiveMetricsIT runs it over live
 * objects too.
 */
class ArgoHealthTest {

    private static final String SCRIPT = Repo.read(ArgoHealth.FLASHSALE.resolve("health.lua"));

    static Stream<Arguments> cases() {
        return Yaml.list(Yaml.read(ArgoHealth.FLASHSALE.resolve("health_test.yaml")), "tests").stream()
                .map(t -> Arguments.of(t.get("inputPath"), Yaml.at(t, "healthStatus.status"), Yaml.at(t, "healthStatus.message")));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void healthOfSample(String input, String status, String message) {
        Map<String, Object> sale = Yaml.read(ArgoHealth.FLASHSALE.resolve(input));
        assertThat(ArgoHealth.evaluate(SCRIPT, sale)).isEqualTo(new ArgoHealth.Result(status, message));
    }

    /** Every phase, every Ready=False reason and deletion have a case. */
    @Test
    void casesCoverEveryPhaseAndReason() {
        List<Map<String, Object>> inputs = cases().map(a -> Yaml.read(ArgoHealth.FLASHSALE.resolve((String) a.get()[0]))).toList();
        assertThat(inputs.stream().map(s -> Yaml.<String>at(s, "status.phase")))
                .contains("Upcoming", "Active", "Paused", "Ended");
        assertThat(inputs.stream().map(s -> Yaml.<String>at(s, "status.endReason")))
                .contains("SoldOut", "TimeExpired", "Cancelled");
        assertThat(inputs.stream().flatMap(s -> Yaml.list(s, "status.conditions").stream())
                .filter(c -> "Ready".equals(c.get("type")) && "False".equals(c.get("status"))).map(c -> c.get("reason")))
                .contains("ChangeRefused", "RedisKeysMissing", "NameConflict", "InvalidSpec", "ReconcileFailed", "AwaitingPersistence");
        assertThat(cases().map(a -> a.get()[1])).contains("Healthy", "Progressing", "Degraded", "Suspended");
    }

    /** argocd-cm-health.yaml carries the same script, byte for byte. */
    @Test
    void argocdConfigMapHasTheScript() {
        Map<String, Object> cm = Yaml.read(ChartFiles.ARGOCD.resolve("argocd-cm-health.yaml"));
        assertThat(Yaml.<Map<String, String>>at(cm, "data")).containsEntry("resource.customizations.health.flashsale.dev_FlashSale", SCRIPT);
    }

    /** The example Applications keep the sync options deploy/argocd/README.md explains. */
    @Test
    void applicationsCarryTheSyncOptions() {
        Map<String, Object> platform = Yaml.read(ChartFiles.ARGOCD.resolve("application-flashsale.yaml"));
        assertThat(Yaml.<String>at(platform, "spec.source.path")).isEqualTo("helm/flashsale");
        assertThat(Repo.path("helm/flashsale/" + Yaml.<String>at(platform, "spec.source.helm.valueFiles.0"))).exists();
        assertThat(Yaml.<List<String>>at(platform, "spec.syncPolicy.syncOptions"))
                .contains("ServerSideApply=true", "RespectIgnoreDifferences=true").doesNotContain("Replace=true");
        assertThat(Yaml.<Object>at(platform, "metadata.finalizers")).isNull();
        String saleApi = Yaml.at(platform, "spec.ignoreDifferences.0.name");
        assertThat(Chart.defaults().manifests().get("Deployment", saleApi)).isNotNull();

        Map<String, Object> sales = Yaml.read(ChartFiles.ARGOCD.resolve("application-sales.yaml"));
        assertThat(Yaml.<List<String>>at(sales, "spec.syncPolicy.syncOptions"))
                .contains("ServerSideApply=true", "SkipDryRunOnMissingResource=true");
        assertThat(Yaml.<Boolean>at(sales, "spec.syncPolicy.automated.prune")).isFalse();
    }
}
