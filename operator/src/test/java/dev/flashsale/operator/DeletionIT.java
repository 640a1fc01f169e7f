package dev.flashsale.operator;

import static dev.flashsale.operator.TestCluster.hasEvent;
import static dev.flashsale.operator.TestCluster.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flashsale.core.Purchase;
import dev.flashsale.core.PurchaseRequest;
import dev.flashsale.core.SaleKeys;
import dev.flashsale.core.SaleStore;
import dev.flashsale.operator.crd.FlashSale;
import dev.flashsale.operator.crd.FlashSaleStatus.EndReason;
import dev.flashsale.operator.crd.FlashSaleStatus.Phase;
import dev.flashsale.operator.crd.FlashSaleStatus;
import dev.flashsale.testing.TestIds;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The finalizer keeps a sale's hot keys until PostgreSQL has every purchase; nothing is lost on delete
 * (the deletion duty of docs/contract/flashsale-resource.md).
 */
class DeletionIT {

    private static TestBed bed;
    private static String namespace;

    @BeforeAll
    static void start() {
        bed = new TestBed();
        namespace = bed.namespace("delete");
        bed.operator(TestCluster.config(Set.of(namespace), "delete", false, Optional.empty()));
    }

    @AfterAll
    static void stop() {
        bed.close();
    }

    private static FlashSale activeSale(String prefix, long stock) {
        Instant now = bed.redis.now();
        FlashSale sale = bed.client.resource(TestCluster.sale(namespace, TestIds.unique(prefix), stock,
                now.minusSeconds(1), now.plusSeconds(3600))).create();
        await().atMost(Duration.ofSeconds(5)).until(() -> resource(bed.client, sale).get().getStatus(),
                s -> s != null && s.getPhase() == Phase.Active);
        return sale;
    }

    private static Purchase buy(FlashSale sale, String user) {
        return bed.store.purchase(new PurchaseRequest(sale.getMetadata().getName(), user, 1, null)).block().purchase();
    }

    private static boolean keysExist(FlashSale sale) {
        String id = sale.getMetadata().getName();
        return bed.redis.connection().sync().exists(SaleKeys.of(id).all().toArray(String[]::new)) > 0;
    }

    @Test
    void keepsTheFinalizerUntilEveryPurchaseIsPersisted() {
        FlashSale sale = activeSale("unpersisted", 10);
        List<Purchase> purchases = Stream.of("alice", "bob", "carol").map(u -> buy(sale, u)).toList();

        resource(bed.client, sale).delete();
        FlashSaleStatus waiting = await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> resource(bed.client, sale).get().getStatus(),
                        s -> "AwaitingPersistence".equals(Conditions.find(s.getConditions(), Conditions.READY).get().getReason()));
        // a sale being deleted stops selling, and keeps its keys
        assertThat(waiting.getPhase()).isEqualTo(Phase.Ended);
        assertThat(waiting.getEndReason()).isEqualTo(EndReason.Cancelled);
        assertThat(resource(bed.client, sale).get().getMetadata().getFinalizers()).contains(FlashSaleReconciler.FINALIZER);
        assertThat(hasEvent(bed.client, sale, "Normal", "AwaitingPersistence")).isTrue();

        bed.store.markPersisted(sale.getMetadata().getName(), purchases.subList(0, 2).stream()
                .map(p -> new SaleStore.Persisted(p, null)).toList()).block();
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50))
                .until(() -> resource(bed.client, sale).get().getStatus().getPersisted() == 2);
        assertThat(resource(bed.client, sale).get()).isNotNull();
        assertThat(keysExist(sale)).isTrue();

        bed.store.markPersisted(sale.getMetadata().getName(), purchases.subList(2, 3).stream()
                .map(p -> new SaleStore.Persisted(p, null)).toList()).block();
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50))
                .until(() -> resource(bed.client, sale).get() == null);
        assertThat(keysExist(sale)).isFalse();
    }

    @Test
    void aSaleWithEverythingPersistedGoesAtOnce() {
        FlashSale sale = activeSale("persisted", 10);
        Purchase purchase = buy(sale, "alice");
        bed.store.markPersisted(sale.getMetadata().getName(), List.of(new SaleStore.Persisted(purchase, null))).block();

        resource(bed.client, sale).delete();
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50))
                .until(() -> resource(bed.client, sale).get() == null);
        assertThat(keysExist(sale)).isFalse();
    }
}
