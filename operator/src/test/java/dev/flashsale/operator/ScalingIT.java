package dev.flashsale.operator;

import static dev.flashsale.operator.TestCluster.hasEvent;
import static dev.flashsale.operator.TestCluster.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flashsale.operator.OperatorConfig.DeploymentRef;
import dev.flashsale.operator.crd.FlashSale;
import dev.flashsale.operator.crd.Scaling;
import dev.flashsale.testing.TestIds;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * spec.scaling resizes the sale-api Deployment at startTime - leadTime and restores it when the sale
 * ends (the spec.scaling duty of docs/contract/flashsale-resource.md). The Deployment is only an object here: without a
 * controller-manager no pod ever runs.
 */
class ScalingIT {

    private static TestBed bed;
    /** sale-api as a plain Deployment, and sale-api under a HorizontalPodAutoscaler; an operator each. */
    private static String namespace;
    private static String hpaNamespace;

    @BeforeAll
    static void start() {
        bed = new TestBed();
        namespace = bed.namespace("scaling");
        hpaNamespace = bed.namespace("scaling-hpa");
        bed.saleApiDeployment(namespace, 2);
        bed.saleApiDeployment(hpaNamespace, 2);
        bed.client.resource(new HorizontalPodAutoscalerBuilder()
                .withNewMetadata().withName("sale-api").withNamespace(hpaNamespace).endMetadata()
                .withNewSpec().withMinReplicas(2).withMaxReplicas(5)
                .withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment").withName("sale-api").endScaleTargetRef()
                .endSpec().build()).create();
        bed.operator(TestCluster.config(Set.of(namespace), "scaling", false,
                Optional.of(new DeploymentRef(namespace, "sale-api"))));
        bed.operator(TestCluster.config(Set.of(hpaNamespace), "scaling-hpa", false,
                Optional.of(new DeploymentRef(hpaNamespace, "sale-api"))));
    }

    @AfterAll
    static void stop() {
        bed.close();
    }

    private static Deployment saleApi() {
        return bed.client.apps().deployments().inNamespace(namespace).withName("sale-api").get();
    }

    private static HorizontalPodAutoscaler saleApiHpa() {
        return bed.client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(hpaNamespace).withName("sale-api").get();
    }

    private static void sleepUntil(Instant instant) throws InterruptedException {
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), instant).toMillis()));
    }

    /** Like kubectl scale, or a Helm upgrade resetting replicas; tried again when the operator wrote in between. */
    private static void setSaleApiReplicas(int replicas) {
        await().atMost(Duration.ofSeconds(5)).ignoreExceptionsMatching(e -> e instanceof KubernetesClientException k && k.getCode() == 409)
                .until(() -> bed.client.apps().deployments().inNamespace(namespace).withName("sale-api").edit(d -> {
                    d.getSpec().setReplicas(replicas);
                    return d;
                }), Objects::nonNull);
    }

    private static FlashSale createScaledSale(String ns, int replicas, Instant start, Instant end) {
        return createScaledSale(ns, replicas, "2s", start, end);
    }

    private static FlashSale createScaledSale(String ns, int replicas, String leadTime, Instant start, Instant end) {
        FlashSale sale = TestCluster.sale(ns, TestIds.unique("scaled"), 100, start, end);
        Scaling scaling = new Scaling();
        scaling.setReplicas(replicas);
        scaling.setLeadTime(leadTime);
        sale.getSpec().setScaling(scaling);
        return bed.client.resource(sale).create();
    }

    @Test
    void scalesUpAtLeadTimeAndRestoresAfterTheEnd() throws InterruptedException {
        Instant start = bed.redis.now().plusSeconds(4);
        Instant scaleUp = start.minusSeconds(2);
        Instant end = start.plusSeconds(2);
        FlashSale sale = createScaledSale(namespace, 6, start, end);

        sleepUntil(scaleUp.minusMillis(500));
        assertThat(saleApi().getSpec().getReplicas()).as("before startTime - leadTime").isEqualTo(2);

        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> saleApi().getSpec().getReplicas() == 6);
        assertThat(Duration.between(scaleUp, Instant.now())).isLessThan(Duration.ofSeconds(1));
        assertThat(saleApi().getMetadata().getAnnotations()).containsEntry(SaleApiScaler.ORIGINAL_REPLICAS, "2");

        sleepUntil(end.minusMillis(500));
        assertThat(saleApi().getSpec().getReplicas()).as("while the sale runs").isEqualTo(6);

        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> saleApi().getSpec().getReplicas() == 2);
        assertThat(Duration.between(end, Instant.now())).isLessThan(Duration.ofSeconds(1));
        assertThat(saleApi().getMetadata().getAnnotations()).doesNotContainKey(SaleApiScaler.ORIGINAL_REPLICAS);
        assertThat(hasEvent(bed.client, sale, "Normal", "ScaledUp")).isTrue();
        assertThat(hasEvent(bed.client, sale, "Normal", "ScaledDown")).isTrue();
        assertThat(resource(bed.client, sale).get().getStatus().getPhase()).isNotNull();
    }

    /** The operator watches sale-api: a floor lowered by someone else during the window comes back; more is left alone. */
    @Test
    void aFloorLoweredDuringTheWindowIsRaisedAgainAndMoreIsLeftAlone() {
        Instant start = bed.redis.now().plusSeconds(3600);
        FlashSale sale = createScaledSale(namespace, 4, "2h", start, start.plusSeconds(3600));
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> saleApi().getSpec().getReplicas() == 4);

        setSaleApiReplicas(1);
        Instant lowered = Instant.now();
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50))
                .until(() -> saleApi().getSpec().getReplicas() == 4);
        assertThat(Duration.between(lowered, Instant.now())).isLessThan(Duration.ofSeconds(1));

        setSaleApiReplicas(8);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> saleApi().getSpec().getReplicas() == 8);

        resource(bed.client, sale).delete();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> saleApi().getSpec().getReplicas() == 2);
        assertThat(saleApi().getMetadata().getAnnotations()).doesNotContainKey(SaleApiScaler.ORIGINAL_REPLICAS);
    }

    /** With an HPA, its minimum is raised (the HPA keeps scaling above it), capped at its maximum. */
    @Test
    void raisesTheAutoscalersMinimumUpToItsMaximumAndRestoresIt() throws InterruptedException {
        Instant start = bed.redis.now().plusSeconds(4);
        Instant end = start.plusSeconds(2);
        FlashSale sale = createScaledSale(hpaNamespace, 6, start, end);

        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> saleApiHpa().getSpec().getMinReplicas() == 5);
        assertThat(saleApiHpa().getSpec().getMaxReplicas()).as("the platform's ceiling stays").isEqualTo(5);
        assertThat(saleApiHpa().getMetadata().getAnnotations()).containsEntry(SaleApiScaler.ORIGINAL_REPLICAS, "2");
        assertThat(bed.client.apps().deployments().inNamespace(hpaNamespace).withName("sale-api").get().getSpec().getReplicas())
                .as("the HPA owns the Deployment's replicas").isEqualTo(2);

        sleepUntil(end);
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> saleApiHpa().getSpec().getMinReplicas() == 2);
        assertThat(saleApiHpa().getMetadata().getAnnotations()).doesNotContainKey(SaleApiScaler.ORIGINAL_REPLICAS);
        assertThat(hasEvent(bed.client, sale, "Normal", "ScaledUp")).isTrue();
        assertThat(hasEvent(bed.client, sale, "Normal", "ScaledDown")).isTrue();
    }
}
