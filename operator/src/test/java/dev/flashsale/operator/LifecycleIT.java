package dev.flashsale.operator;

import static dev.flashsale.operator.TestCluster.hasEvent;
import static dev.flashsale.operator.TestCluster.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flashsale.core.HoldResult;
import dev.flashsale.core.PurchaseRequest;
import dev.flashsale.core.PurchaseResult;
import dev.flashsale.core.SaleKeys;
import dev.flashsale.core.SaleView;
import dev.flashsale.operator.crd.Checkout;
import dev.flashsale.operator.crd.FlashSale;
import dev.flashsale.operator.crd.FlashSaleStatus.EndReason;
import dev.flashsale.operator.crd.FlashSaleStatus.Phase;
import dev.flashsale.operator.crd.FlashSaleStatus;
import dev.flashsale.testing.TestIds;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.lettuce.core.KillArgs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * A sale's life as admins and shoppers see it, with one operator, a real API server and real Redis:
 * the status, the refused changes and the "Operator duties" of docs/contract/flashsale-resource.md.
 */
class LifecycleIT {

    private static TestBed bed;
    private static FlashSaleOperator operator;
    private static String namespace;
    private static String otherNamespace;

    @BeforeAll
    static void start() {
        bed = new TestBed();
        namespace = bed.namespace("life");
        otherNamespace = bed.namespace("life-other");
        operator = bed.operator(TestCluster.config(Set.of(namespace, otherNamespace), "life", false, Optional.empty()));
    }

    @AfterAll
    static void stop() {
        bed.close();
    }

    private static FlashSale newSale(String prefix, long stock, Instant start, Instant end) {
        return TestCluster.sale(namespace, TestIds.unique(prefix), stock, start, end);
    }

    /** A sale that started a second ago by the Redis clock and runs for an hour, applied and Active. */
    private static FlashSale activeSale(String prefix, long stock) {
        Instant now = bed.redis.now();
        FlashSale sale = bed.client.resource(newSale(prefix, stock, now.minusSeconds(1), now.plusSeconds(3600))).create();
        awaitStatus(sale, s -> s.getPhase() == Phase.Active);
        return sale;
    }

    private static FlashSaleStatus awaitStatus(FlashSale sale, Predicate<FlashSaleStatus> condition) {
        return awaitStatus(sale, Duration.ofSeconds(5), condition);
    }

    private static FlashSaleStatus awaitStatus(FlashSale sale, Duration within, Predicate<FlashSaleStatus> condition) {
        return await().atMost(within).pollInterval(Duration.ofMillis(50))
                .until(() -> resource(bed.client, sale).get().getStatus(), s -> s != null && condition.test(s));
    }

    private static Condition condition(FlashSaleStatus status, String type) {
        return Conditions.find(status.getConditions(), type).orElseThrow();
    }

    private static PurchaseResult buy(FlashSale sale, String user) {
        return bed.store.purchase(new PurchaseRequest(sale.getMetadata().getName(), user, 1, null)).block();
    }

    /** An admin's edit; like kubectl edit, tried again when the operator updated the status in between. */
    private static FlashSale edit(FlashSale sale, Consumer<FlashSale> change) {
        return await().atMost(Duration.ofSeconds(5)).ignoreExceptionsMatching(
                        e -> e instanceof KubernetesClientException k && k.getCode() == 409)
                .until(() -> resource(bed.client, sale).edit(s -> {
                    change.accept(s);
                    return s;
                }), Objects::nonNull);
    }

    @Test
    void upcomingThenActiveThenPurchasesThenSoldOut() {
        Instant start = bed.redis.now().plusSeconds(10);
        FlashSale sale = bed.client.resource(newSale("drop", 3, start, start.plusSeconds(3600))).create();

        FlashSaleStatus upcoming = awaitStatus(sale, s -> s.getPhase() == Phase.Upcoming);
        assertThat(upcoming.getRemainingStock()).isEqualTo(3);
        assertThat(upcoming.getSold()).isZero();
        assertThat(condition(upcoming, Conditions.READY).getStatus()).isEqualTo("True");
        assertThat(condition(upcoming, Conditions.STOCK_INITIALIZED).getStatus()).isEqualTo("True");
        assertThat(bed.redis.connection().sync().exists(SaleKeys.of(sale.getMetadata().getName()).meta())).isEqualTo(1);
        assertThat(resource(bed.client, sale).get().getMetadata().getFinalizers()).contains(FlashSaleReconciler.FINALIZER);

        awaitStatus(sale, Duration.ofSeconds(15), s -> s.getPhase() == Phase.Active);
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(1));

        assertThat(buy(sale, "alice").outcome()).isEqualTo(PurchaseResult.Outcome.SUCCESS);
        Instant bought = Instant.now();
        awaitStatus(sale, s -> s.getSold() == 1 && s.getRemainingStock() == 2);
        assertThat(Duration.between(bought, Instant.now())).isLessThan(Duration.ofSeconds(1));
        assertThat(condition(resource(bed.client, sale).get().getStatus(), Conditions.PERSISTENCE_CAUGHT_UP).getStatus())
                .isEqualTo("False");

        buy(sale, "bob");
        buy(sale, "carol");
        FlashSaleStatus ended = awaitStatus(sale, s -> s.getPhase() == Phase.Ended);
        assertThat(ended.getEndReason()).isEqualTo(EndReason.SoldOut);
        assertThat(ended.getRemainingStock()).isZero();
        assertThat(ended.getSold()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(2)).until(() -> hasEvent(bed.client, sale, "Normal", "SoldOut"));
        assertThat(hasEvent(bed.client, sale, "Normal", "Started")).isTrue();
    }

    @Test
    void aBurstOfPurchasesCostsAFewStatusUpdatesNotOneEach() {
        FlashSale sale = activeSale("burst", 5000);
        double patchesBefore = operator.registry().get("flashsale.operator.status.patches").counter().count();
        Instant begin = Instant.now();
        long bought = Flux.range(0, 3000)
                .flatMap(i -> bed.store.purchase(new PurchaseRequest(sale.getMetadata().getName(), "user-" + i, 1, null)), 64)
                .filter(r -> r.outcome() == PurchaseResult.Outcome.SUCCESS)
                .count().block();
        Instant last = Instant.now();
        assertThat(bought).isEqualTo(3000);
        awaitStatus(sale, s -> s.getSold() == 3000 && s.getRemainingStock() == 2000);
        assertThat(Duration.between(last, Instant.now())).isLessThan(Duration.ofSeconds(1));
        double patches = operator.registry().get("flashsale.operator.status.patches").counter().count() - patchesBefore;
        // one per status interval (200 ms in tests) at most, plus the last one
        long intervals = Duration.between(begin, Instant.now()).toMillis() / 200 + 2;
        assertThat(patches).isBetween(1.0, (double) intervals);
    }

    @Test
    void statusKeepsFlowingAfterTheRedisSubscriptionDropped() {
        FlashSale sale = activeSale("reconnect", 10);
        String name = FlashSaleReconciler.eventsClientName("life");
        String ours = Arrays.stream(bed.redis.connection().sync().clientList().split("\n"))
                .filter(line -> line.contains(" name=" + name + " "))
                .map(line -> line.replaceAll("^id=(\\d+) .*$", "$1"))
                .findFirst().orElseThrow();
        bed.redis.connection().sync().clientKill(KillArgs.Builder.id(Long.parseLong(ours)));
        await().atMost(Duration.ofSeconds(5)).until(() -> bed.redis.connection().sync().clientList().contains(" name=" + name + " "));
        buy(sale, "alice");
        awaitStatus(sale, s -> s.getSold() == 1);
    }

    @Test
    void aTimeBoxedSaleEndsAtItsEndTime() {
        Instant start = bed.redis.now().plusMillis(500);
        Instant end = start.plusSeconds(2);
        FlashSale sale = bed.client.resource(newSale("boxed", 10, start, end)).create();
        awaitStatus(sale, s -> s.getPhase() == Phase.Active);
        FlashSaleStatus ended = awaitStatus(sale, s -> s.getPhase() == Phase.Ended);
        assertThat(Duration.between(end, Instant.now())).isLessThan(Duration.ofSeconds(1));
        assertThat(ended.getEndReason()).isEqualTo(EndReason.TimeExpired);
        assertThat(ended.getRemainingStock()).isEqualTo(10);
    }

    @Test
    void pausesAndResumes() {
        FlashSale sale = activeSale("pause", 10);
        edit(sale, s -> s.getSpec().setPaused(true));
        awaitStatus(sale, s -> s.getPhase() == Phase.Paused);
        assertThat(buy(sale, "alice").outcome()).isEqualTo(PurchaseResult.Outcome.SALE_NOT_ACTIVE);
        edit(sale, s -> s.getSpec().setPaused(false));
        awaitStatus(sale, s -> s.getPhase() == Phase.Active);
        assertThat(buy(sale, "alice").outcome()).isEqualTo(PurchaseResult.Outcome.SUCCESS);
        await().atMost(Duration.ofSeconds(2)).until(() -> hasEvent(bed.client, sale, "Normal", "Paused")
                && hasEvent(bed.client, sale, "Normal", "Resumed"));
    }

    @Test
    void cancelEndsTheSale() {
        FlashSale sale = activeSale("cancel", 10);
        buy(sale, "alice");
        edit(sale, s -> s.getSpec().setCancelled(true));
        FlashSaleStatus ended = awaitStatus(sale, s -> s.getPhase() == Phase.Ended);
        assertThat(ended.getEndReason()).isEqualTo(EndReason.Cancelled);
        assertThat(buy(sale, "bob").outcome()).isEqualTo(PurchaseResult.Outcome.SALE_ENDED);
        await().atMost(Duration.ofSeconds(2)).until(() -> hasEvent(bed.client, sale, "Normal", "Cancelled"));
    }

    @Test
    void refusesStockAndStartChangesOnceStartedAndLeavesRedisUntouched() {
        FlashSale sale = activeSale("refuse", 10);
        String id = sale.getMetadata().getName();
        buy(sale, "alice");

        edit(sale, s -> s.getSpec().setInitialStock(50L));
        FlashSaleStatus refused = awaitStatus(sale, s -> "ChangeRefused".equals(condition(s, Conditions.READY).getReason()));
        assertThat(condition(refused, Conditions.READY).getStatus()).isEqualTo("False");
        assertThat(condition(refused, Conditions.READY).getMessage()).contains("initialStock");
        await().atMost(Duration.ofSeconds(2)).until(() -> hasEvent(bed.client, sale, "Warning", "ChangeRefused"));
        SaleView view = bed.store.view(id).block();
        assertThat(view.initialStock()).isEqualTo(10);
        assertThat(view.stock()).isEqualTo(9);

        edit(sale, s -> s.getSpec().setInitialStock(10L));
        awaitStatus(sale, s -> "True".equals(condition(s, Conditions.READY).getStatus()));

        Instant later = view.startTime().plusSeconds(60);
        edit(sale, s -> s.getSpec().setStartTime(later.toString()));
        FlashSaleStatus refusedStart = awaitStatus(sale, s -> "False".equals(condition(s, Conditions.READY).getStatus()));
        assertThat(condition(refusedStart, Conditions.READY).getMessage()).contains("startTime");
        assertThat(bed.store.view(id).block().startTime()).isEqualTo(view.startTime());
        assertThat(refusedStart.getSold()).isEqualTo(1);
    }

    @Test
    void checkoutHoldsShowInStatusAndTheirWindowCannotChangeOnceStarted() {
        Instant now = bed.redis.now();
        FlashSale declared = newSale("checkout", 10, now.minusSeconds(1), now.plusSeconds(3600));
        Checkout checkout = new Checkout();
        checkout.setHoldFor("10m");
        declared.getSpec().setCheckout(checkout);
        FlashSale sale = bed.client.resource(declared).create();
        String id = sale.getMetadata().getName();
        awaitStatus(sale, s -> s.getPhase() == Phase.Active);
        assertThat(bed.store.view(id).block().holdFor()).isEqualTo(Duration.ofMinutes(10));

        PurchaseResult alice = buy(sale, "alice");
        buy(sale, "bob");
        FlashSaleStatus holding = awaitStatus(sale, s -> Long.valueOf(2).equals(s.getHeld()));
        assertThat(holding.getSold()).isEqualTo(2);
        assertThat(holding.getConfirmed()).isZero();
        assertThat(holding.getRemainingStock()).isEqualTo(8);

        assertThat(bed.store.pay(id, alice.purchase().purchaseId(), "payment-1").block().outcome())
                .isEqualTo(HoldResult.Outcome.CONFIRMED);
        Instant paid = Instant.now();
        awaitStatus(sale, s -> s.getHeld() == 1 && s.getConfirmed() == 1);
        assertThat(Duration.between(paid, Instant.now())).as("a payment is pushed like a purchase").isLessThan(Duration.ofSeconds(1));

        edit(sale, s -> s.getSpec().getCheckout().setHoldFor("20m"));
        FlashSaleStatus refused = awaitStatus(sale, s -> "ChangeRefused".equals(condition(s, Conditions.READY).getReason()));
        assertThat(condition(refused, Conditions.READY).getMessage())
                .startsWith("spec.checkout.holdFor cannot be added, changed or removed once the sale has started (kept: 10m)");
        await().atMost(Duration.ofSeconds(2)).until(() -> hasEvent(bed.client, sale, "Warning", "ChangeRefused"));
        assertThat(bed.store.view(id).block().holdFor()).as("Redis untouched").isEqualTo(Duration.ofMinutes(10));
        assertThat(refused.getHeld()).isEqualTo(1);

        edit(sale, s -> s.getSpec().getCheckout().setHoldFor("10m"));
        awaitStatus(sale, s -> "True".equals(condition(s, Conditions.READY).getStatus()));
    }

    @Test
    void lostRedisKeysAreReportedNotRecreated() {
        FlashSale sale = activeSale("lost", 10);
        String id = sale.getMetadata().getName();
        bed.redis.connection().sync().del(SaleKeys.of(id).all().toArray(String[]::new));
        edit(sale, s -> s.getSpec().setProductName("Renamed"));
        FlashSaleStatus status = awaitStatus(sale, s -> "RedisKeysMissing".equals(condition(s, Conditions.READY).getReason()));
        assertThat(condition(status, Conditions.READY).getStatus()).isEqualTo("False");
        assertThat(bed.redis.connection().sync().exists(SaleKeys.of(id).meta())).isZero();
    }

    @Test
    void aSecondSaleWithTheSameNameInAnotherNamespaceIsRejected() {
        FlashSale first = activeSale("twin", 10);
        FlashSale twin = TestCluster.sale(otherNamespace, first.getMetadata().getName(), 99,
                Instant.parse(first.getSpec().getStartTime()), Instant.parse(first.getSpec().getEndTime()));
        bed.client.resource(twin).create();
        FlashSaleStatus status = awaitStatus(twin, s -> s.getConditions() != null && !s.getConditions().isEmpty());
        assertThat(condition(status, Conditions.READY).getReason()).isEqualTo("NameConflict");
        assertThat(bed.store.view(first.getMetadata().getName()).block().initialStock()).isEqualTo(10);

        // deleting the twin must not touch the first sale's keys
        resource(bed.client, twin).delete();
        await().atMost(Duration.ofSeconds(5)).until(() -> resource(bed.client, twin).get() == null);
        assertThat(bed.store.view(first.getMetadata().getName()).block()).isNotNull();
    }

    @Test
    void servesMetricsAndProbes() throws Exception {
        FlashSale sale = activeSale("metrics", 1);
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + operator.httpPort();
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("flashsale_operator_redis_writes_total", "flashsale_operator_leader",
                "operator_sdk_reconciliations_started_total");
        // the dashboard's stock and sold per sale
        String id = sale.getMetadata().getName();
        assertThat(metrics.body()).contains("flashsale_sale_remaining_stock{sale=\"" + id + "\"} 1.0",
                "flashsale_sale_sold{sale=\"" + id + "\"} 0.0", "flashsale_sale_persisted{sale=\"" + id + "\"} 0.0",
                "flashsale_sale_held{sale=\"" + id + "\"} 0.0", "flashsale_sale_confirmed{sale=\"" + id + "\"} 0.0");
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    }
}
