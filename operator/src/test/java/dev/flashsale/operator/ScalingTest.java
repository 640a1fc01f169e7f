package dev.flashsale.operator;

import static dev.flashsale.operator.TestCluster.hasEvent;
import static dev.flashsale.operator.TestCluster.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flashsale.core.SaleStore;
import dev.flashsale.core.testing.RedisFixture;
import dev.flashsale.operator.OperatorConfig.DeploymentRef;
import dev.flashsale.operator.crd.FlashSale;
import dev.flashsale.operator.crd.Scaling;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * spec.scaling resizes the sale-api Deployment at startTime - leadTime and restores it when the sale
 * ends. The Deployment is only an object here: without a controller-manager no pod ever runs.
 */
class ScalingTest {

    private static KubernetesClient client;
    private static TestRedis redis;
    private static SaleStore store;
    private static FlashSaleOperator operator;
    private static String namespace;

    @BeforeAll
    static void start() {
        client = TestCluster.client();
        redis = new TestRedis();
        store = redis.store();
        namespace = TestCluster.createNamespace(client, "scaling");
        client.resource(new DeploymentBuilder()
                .withNewMetadata().withName("sale-api").withNamespace(namespace).endMetadata()
                .withNewSpec().withReplicas(2)
                .withNewSelector().addToMatchLabels("app", "sale-api").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "sale-api").endMetadata()
                .withNewSpec().addNewContainer().withName("sale-api").withImage("flashsale/sale-api").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        operator = TestCluster.startOperator(TestCluster.config(Set.of(namespace), "scaling", false,
                Optional.of(new DeploymentRef(namespace, "sale-api"))));
    }

    @AfterAll
    static void stop() {
        operator.close();
        TestCluster.forgetSales(client, store, namespace);
        redis.close();
        client.close();
    }

    private static Deployment saleApi() {
        return client.apps().deployments().inNamespace(namespace).withName("sale-api").get();
    }

    private static void sleepUntil(Instant instant) throws InterruptedException {
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), instant).toMillis()));
    }

    @Test
    void scalesUpAtLeadTimeAndRestoresAfterTheEnd() throws InterruptedException {
        Instant start = redis.redisNow().plusSeconds(4);
        Instant scaleUp = start.minusSeconds(2);
        Instant end = start.plusSeconds(2);
        FlashSale sale = TestCluster.sale(namespace, RedisFixture.uniqueSaleId("scaled"), 100, start, end);
        Scaling scaling = new Scaling();
        scaling.setReplicas(6);
        scaling.setLeadTime("2s");
        sale.getSpec().setScaling(scaling);
        client.resource(sale).create();

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
        assertThat(hasEvent(client, sale, "Normal", "ScaledUp")).isTrue();
        assertThat(hasEvent(client, sale, "Normal", "ScaledDown")).isTrue();
        assertThat(resource(client, sale).get().getStatus().getPhase()).isNotNull();
    }
}
