package dev.flashsale.operator;

import static dev.flashsale.operator.TestCluster.hasEvent;
import static dev.flashsale.operator.TestCluster.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flashsale.core.Purchase;
import dev.flashsale.core.PurchaseRequest;
import dev.flashsale.core.SaleStore;
import dev.flashsale.operator.OperatorConfig.DeploymentRef;
import dev.flashsale.operator.crd.FlashSale;
import dev.flashsale.operator.crd.FlashSaleStatus.Phase;
import dev.flashsale.operator.crd.FlashSaleStatus;
import dev.flashsale.operator.crd.Scaling;
import dev.flashsale.testing.TestIds;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator does its whole job as the ServiceAccount of src/main/k8s/rbac.yaml and nothing more:
 * the API server (RBAC mode) authorises every request of an operator that impersonates it.
 */
class RbacIT {

    private static TestBed bed;
    private static FlashSaleOperator operator;
    private static String namespace;

    @BeforeAll
    static void start() throws IOException {
        bed = new TestBed();
        namespace = bed.namespace("rbac");
        String rbac = Files.readString(Path.of("src/main/k8s/rbac.yaml"))
                .replace("namespace: flashsale", "namespace: " + namespace);
        bed.client.load(new ByteArrayInputStream(rbac.getBytes(StandardCharsets.UTF_8))).serverSideApply();
        bed.saleApiDeployment(namespace, 1);
        KubernetesClient asOperator = TestCluster.clientAs("system:serviceaccount:" + namespace + ":flashsale-operator",
                "system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated");
        operator = bed.operator(TestCluster.config(Set.of(namespace), "rbac", true,
                Optional.of(new DeploymentRef(namespace, "sale-api"))), asOperator);
    }

    @AfterAll
    static void stop() {
        bed.close();
    }

    private static FlashSaleStatus awaitStatus(FlashSale sale, Predicate<FlashSaleStatus> condition) {
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> resource(bed.client, sale).get().getStatus(), s -> s != null && condition.test(s));
    }

    private static int saleApiReplicas() {
        return bed.client.apps().deployments().inNamespace(namespace).withName("sale-api").get().getSpec().getReplicas();
    }

    @Test
    void theOperatorDoesItsWholeJobWithItsOwnRbac() {
        Instant start = bed.redis.now().plusSeconds(2);
        FlashSale sale = TestCluster.sale(namespace, TestIds.unique("rbac"), 2, start, start.plusSeconds(3600));
        Scaling scaling = new Scaling();
        scaling.setReplicas(3);
        scaling.setLeadTime("1h");
        sale.getSpec().setScaling(scaling);
        bed.client.resource(sale).create();

        awaitStatus(sale, s -> s.getPhase() == Phase.Upcoming);
        await().atMost(Duration.ofSeconds(5)).until(() -> saleApiReplicas() == 3);
        awaitStatus(sale, s -> s.getPhase() == Phase.Active);
        List<Purchase> purchases = List.of("alice", "bob").stream().map(u ->
                bed.store.purchase(new PurchaseRequest(sale.getMetadata().getName(), u, 1, null)).block().purchase()).toList();
        awaitStatus(sale, s -> s.getPhase() == Phase.Ended);
        await().atMost(Duration.ofSeconds(5)).until(() -> saleApiReplicas() == 1);
        assertThat(hasEvent(bed.client, sale, "Normal", "SoldOut")).isTrue();
        assertThat(bed.client.leases().inNamespace(namespace).withName("flashsale-operator").get().getSpec().getHolderIdentity())
                .isEqualTo("rbac");

        bed.client.resource(sale).delete();
        awaitStatus(sale, s -> "AwaitingPersistence".equals(Conditions.find(s.getConditions(), Conditions.READY).get().getReason()));
        bed.store.markPersisted(sale.getMetadata().getName(), purchases.stream()
                .map(p -> new SaleStore.Persisted(p, null)).toList()).block();
        await().atMost(Duration.ofSeconds(5)).until(() -> resource(bed.client, sale).get() == null);
        assertThat(operator.isLeader()).as("renewed its Lease throughout").isTrue();
    }
}
