package dev.flashsale.charttests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashsale.testing.Repo;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rendered manifests are accepted by a real kube-apiserver (v1.37): the chart's CRD is applied
 * first, then every object is applied server-side with dryRun=All, which runs defaulting, schema
 * validation (also of the CRD's CEL rules) and admission without persisting anything. The
 * prometheus-operator kinds are checked against test stand-ins of their CRDs.
 */
class ServerDryRunIT {

    private static KubernetesClient client;

    @BeforeAll
    static void cluster() {
        client = KubeApi.client();
        KubeApi.establish(client, ChartFiles.resource("stand-in-crds/monitoring.coreos.com.yaml"));
        // the release namespace, the dashboard's namespace (production values) and watched namespaces
        KubeApi.ensureNamespaces(client, List.of(Chart.NAMESPACE, "monitoring", "shop", "outlet"));
    }

    @AfterAll
    static void close() {
        client.close();
    }

    static Stream<Arguments> renders() {
        return Stream.of(
                Arguments.of("default values", Chart.defaults()),
                Arguments.of("production values", Chart.production()),
                Arguments.of("watched namespaces, monitoring, ingress", Chart.defaults()
                        .set("operator.watchNamespaces[0]", "shop").set("operator.watchNamespaces[1]", "outlet")
                        .set("monitoring.enabled", true).set("networkPolicy.enabled", true)
                        .set("saleApi.ingress.enabled", true).set("saleApi.trustedProxies[0]", "10.0.0.0/8")),
                Arguments.of("gateway sign-in, egress with extra rules", Chart.defaults()
                        .set("saleApi.auth.mode", "trusted-header").set("saleApi.auth.gateways[0]", "10.42.0.0/16")
                        .set("networkPolicy.enabled", true).set("networkPolicy.egress.enabled", true)
                        .set("networkPolicy.egress.extra[0].ports[0].port", 26379)
                        .set("networkPolicy.egress.extra[0].to[0].ipBlock.cidr", "10.43.0.0/16")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renders")
    void everyRenderedObjectIsAccepted(String name, Chart chart) {
        List<Map<String, Object>> docs = chart.manifests().docs();
        List<String> accepted = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (Map<String, Object> doc : docs) {
            GenericKubernetesResource object = KubeApi.resource(doc);
            try {
                client.resource(object).dryRun().fieldManager("chart-tests").serverSideApply();
                accepted.add(KubeApi.describe(object));
            } catch (KubernetesClientException e) {
                refused.add(KubeApi.describe(object) + ": " + e.getMessage());
            }
        }
        assertThat(refused).as("refused by the API server").isEmpty();
        assertThat(accepted).hasSize(docs.size());
    }

    /** The control: a dry run does validate (an upper-case container name is not a DNS label). */
    @Test
    void anInvalidObjectIsRefused() {
        Map<String, Object> deployment = Chart.defaults().manifests().get("Deployment", "flashsale-sale-api");
        GenericKubernetesResource object = KubeApi.resource(deployment);
        Yaml.<Map<String, Object>>at(object.getAdditionalProperties(), "spec.template.spec.containers.0").put("name", "Sale_API");
        assertThatThrownBy(() -> client.resource(object).dryRun().fieldManager("chart-tests").serverSideApply())
                .isInstanceOf(KubernetesClientException.class).hasMessageContaining("containers[0].name");
    }

    @Test
    void exampleSaleIsAcceptedByTheChartsCrd() {
        GenericKubernetesResource sale = KubeApi.resource(Yaml.parse(Repo.read("examples/widget-drop.yaml")));
        sale.getMetadata().setNamespace("shop");
        GenericKubernetesResource result = client.resource(sale).dryRun().fieldManager("chart-tests").serverSideApply();
        assertThat(Yaml.<Object>at(result.getAdditionalProperties(), "spec.scaling.leadTime")).isEqualTo("5m");
    }
}
