package dev.flashsale.operator;

import dev.flashsale.core.SaleStore;
import dev.flashsale.core.testing.SaleFixture;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;

/**
 * What an operator test class opens before its tests and closes after them: a client of the test
 * API server, the operators' Redis database, namespaces of its own and the operators it started.
 * Closing it stops those operators and removes the Redis keys of the sales declared in its namespaces.
 */
final class TestBed implements AutoCloseable {

    final KubernetesClient client = TestCluster.client();
    final SaleFixture redis = TestCluster.redis();
    final SaleStore store = redis.store();
    private final List<String> namespaces = new ArrayList<>();
    private final List<FlashSaleOperator> operators = new ArrayList<>();

    String namespace(String prefix) {
        String namespace = TestCluster.createNamespace(client, prefix);
        namespaces.add(namespace);
        return namespace;
    }

    FlashSaleOperator operator(OperatorConfig config) {
        return operator(config, TestCluster.client());
    }

    FlashSaleOperator operator(OperatorConfig config, KubernetesClient as) {
        FlashSaleOperator operator = TestCluster.startOperator(config, as);
        operators.add(operator);
        return operator;
    }

    /** A sale-api Deployment as the chart makes it; without a controller-manager no pod ever runs. */
    void saleApiDeployment(String namespace, int replicas) {
        client.resource(new DeploymentBuilder()
                .withNewMetadata().withName("sale-api").withNamespace(namespace).endMetadata()
                .withNewSpec().withReplicas(replicas)
                .withNewSelector().addToMatchLabels("app", "sale-api").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "sale-api").endMetadata()
                .withNewSpec().addNewContainer().withName("sale-api").withImage("flashsale/sale-api").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
    }

    @Override
    public void close() {
        operators.forEach(FlashSaleOperator::close);
        TestCluster.forgetSales(client, store, namespaces.toArray(String[]::new));
        redis.close();
        client.close();
    }
}
