package dev.flashsale.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flashsale.api.config.FlashsaleProperties;
import dev.flashsale.api.persistence.PurchaseReconciler;
import dev.flashsale.core.Hold;
import dev.flashsale.core.Purchase;
import dev.flashsale.core.SaleKeys;
import dev.flashsale.core.SaleSpec;
import dev.flashsale.core.SaleState;
import dev.flashsale.core.SaleStore;
import dev.flashsale.core.SaleView;
import dev.flashsale.core.testing.SaleFixture;
import dev.flashsale.testing.TestIds;
import dev.flashsale.testing.TestRedis;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;

/**
 * Reconciliation against the real Redis and PostgreSQL: it finds and re-drives what PostgreSQL lost,
 * reports what Redis does not know, costs one meta read per finished sale, lets one pod at a time
 * check a sale, and forgets the gauges of sales that are gone.
 */
class PurchaseReconcilerIT extends ApiTestSupport {

    /** A logical database of the test Redis that only the cost test uses (the operator's tests use 9). */
    private static final int COST_DATABASE = 11;

    @Autowired
    private PurchaseReconciler reconciler;
    @Autowired
    private MeterRegistry registry;
    @Autowired
    private DatabaseClient db;
    @Autowired
    private FlashsaleProperties props;

    @Test
    void purchasesLostByPostgresAreFoundMissingAndRedrivenOnceUntilTheyAreBack() throws Exception {
        SaleSpec sale = activeSale("rc-missing", 100, 1);
        buyAndPersist(sale.id(), 20);
        List<String> lost = repository.purchaseIds(sale.id()).sort().take(5).collectList().block();
        assertThat(deleteRows(sale.id(), lost)).isEqualTo(5);
        olderThanGrace();

        PurchaseReconciler.Pass pass = reconciler.reconcileAll();
        assertThat(pass.paged()).isPositive();
        assertThat(gauge(registry, "flashsale.reconciliation.missing", sale.id())).isEqualTo(5.0);
        assertThat(gauge(registry, "flashsale.reconciliation.extra", sale.id())).isZero();
        await("the re-driven purchases in PostgreSQL").atMost(Duration.ofSeconds(30)).until(() -> rowsInPostgres(sale.id()) == 20);
        assertThat(repository.existingIds(sale.id(), lost).collectList().block()).containsExactlyInAnyOrderElementsOf(lost);

        // the next check measures again (the last one found something) and clears the gauge
        PurchaseReconciler.Check after = reconciler.reconcile(sale.id());
        assertThat(after.result()).isEqualTo(PurchaseReconciler.Result.PAGED);
        assertThat(after.missing()).isZero();
        assertThat(gauge(registry, "flashsale.reconciliation.missing", sale.id())).isZero();
        // and then the counts alone tell that nothing is wrong
        assertThat(reconciler.reconcile(sale.id()).result()).isEqualTo(PurchaseReconciler.Result.COUNTED);

        // lost again within REDRIVE_AGAIN_AFTER: reported, but not re-driven a second time yet
        assertThat(deleteRows(sale.id(), lost)).isEqualTo(5);
        PurchaseReconciler.Check again = reconciler.reconcile(sale.id());
        assertThat(again.missing()).isEqualTo(5);
        assertThat(again.redriven()).isZero();
        assertThat(gauge(registry, "flashsale.reconciliation.missing", sale.id())).isEqualTo(5.0);
        Thread.sleep(2_000);
        assertThat(rowsInPostgres(sale.id())).isEqualTo(15);
    }

    /**
     * Checkout: PostgreSQL lost statuses (rows back to HELD, as a restored backup would have them):
     * its own count of CONFIRMED units gives it away, the page finds the purchases whose status
     * differs, and their transitions are re-driven until PostgreSQL says what Redis says.
     */
    @Test
    void checkoutStatusesLostByPostgresAreFoundAndRedriven() throws Exception {
        Instant now = redisNow();
        SaleSpec sale = SaleFixture.spec("rc-status", 10, 1, now.minusSeconds(60), now.plusSeconds(3600))
                .withHoldFor(Duration.ofMinutes(10));
        store.upsert(sale).block();
        for (int i = 0; i < 6; i++) {
            buy(sale.id(), "user-" + i).expectStatus().isCreated();
        }
        for (int i = 0; i < 3; i++) {
            store.pay(sale.id(), purchaseIdOf(sale.id(), "user-" + i), "pay-" + i).block();
        }
        store.cancel(sale.id(), "user-3").block();
        List<String> ids = store.purchases(sale.id()).map(Purchase::purchaseId).collectList().block();
        Map<String, Hold.Status> inRedis = store.holds(sale.id(), ids).block().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().status()));
        await("statuses in PostgreSQL").atMost(Duration.ofSeconds(30))
                .until(() -> repository.statuses(sale.id(), ids).block().equals(inRedis));
        olderThanGrace();
        assertThat(reconciler.reconcile(sale.id()).result()).isIn(PurchaseReconciler.Result.COUNTED, PurchaseReconciler.Result.PAGED);
        assertThat(reconciler.reconcile(sale.id()).result()).isEqualTo(PurchaseReconciler.Result.COUNTED);

        long regressed = db.sql("UPDATE purchases SET status = 'HELD' WHERE sale_id = $1 AND status <> 'HELD'")
                .bind(0, sale.id()).fetch().rowsUpdated().block();
        assertThat(regressed).isEqualTo(4);
        PurchaseReconciler.Check check = reconciler.reconcile(sale.id());
        assertThat(check.result()).isEqualTo(PurchaseReconciler.Result.PAGED);
        assertThat(check.missing()).isEqualTo(4);
        assertThat(check.redriven()).isEqualTo(4);
        await("statuses back in PostgreSQL").atMost(Duration.ofSeconds(30))
                .until(() -> repository.statuses(sale.id(), ids).block().equals(inRedis));
        assertThat(reconciler.reconcile(sale.id()).missing()).isZero();
    }

    @Test
    void aRowThatRedisDoesNotKnowIsReportedExtraAndKept() throws Exception {
        SaleSpec sale = activeSale("rc-extra", 100, 1);
        buyAndPersist(sale.id(), 3);
        String ghost = sale.id() + "-zzzzzzzzzzz";
        insertRow(sale.id(), ghost);
        // a purchase of an earlier life of the sale's name (its id sorts before this life's): not extra
        String earlierLife = sale.id() + "-00000000000";
        assertThat(earlierLife).isLessThan(view(sale.id()).lifeStart());
        insertRow(sale.id(), earlierLife);

        PurchaseReconciler.Check check = reconciler.reconcile(sale.id());
        assertThat(check.result()).isEqualTo(PurchaseReconciler.Result.PAGED);
        assertThat(check.extra()).isEqualTo(1);
        assertThat(check.missing()).isZero();
        assertThat(gauge(registry, "flashsale.reconciliation.extra", sale.id())).isEqualTo(1.0);
        assertThat(gauge(registry, "flashsale.reconciliation.missing", sale.id())).isZero();
        // reported again at every check, never deleted
        assertThat(reconciler.reconcile(sale.id()).extra()).isEqualTo(1);
        assertThat(rowsInPostgres(sale.id())).isEqualTo(5);
        assertThat(repository.existingIds(sale.id(), List.of(ghost)).collectList().block()).containsExactly(ghost);
    }

    /**
     * 50 ended sales of 100,000 purchases each, all persisted: a pass reads their meta and nothing
     * else. They have no rows in PostgreSQL at all, so a pass that counted or paged them would report
     * 100,000 missing each.
     */
    @Test
    void aPassOverEndedPersistedSalesReadsNoPurchaseAndNoRow() {
        int sales = 50;
        int purchases = 100_000;
        List<String> ids = new ArrayList<>();
        try (TestRedis costRedis = new TestRedis(COST_DATABASE)) {
            StatefulRedisConnection<String, String> connection = costRedis.connection();
            RedisCommands<String, String> redis = connection.sync();
            SaleStore cold = new SaleStore(connection.reactive());
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            PurchaseReconciler pod = new PurchaseReconciler(cold, repository, props, meters, "cost-" + UUID.randomUUID());
            String template = "rc-cost-template-" + UUID.randomUUID();
            try {
                Instant fillStart = Instant.now();
                Instant now = redisNow();
                // one script fills a hash of 100,000 purchases; COPY (in Redis, a few ms each) gives
                // every sale its own
                Long filled = redis.eval(FILL, ScriptOutputType.INTEGER, new String[] {template}, "rc-cost",
                        Integer.toString(purchases), Long.toString(now.minusSeconds(300).toEpochMilli()));
                assertThat(filled).isEqualTo(purchases);
                for (int i = 0; i < sales; i++) {
                    String id = TestIds.unique("rc-cost");
                    ids.add(id);
                    cold.upsert(new SaleSpec(id, "SKU-COST", "Cost", purchases, 1, now.minusSeconds(600),
                            now.plusSeconds(3600), false, false)).block();
                    SaleKeys k = SaleKeys.of(id);
                    assertThat(redis.copy(template, k.purchases())).isTrue();
                    // sold out, every unit persisted
                    redis.hset(k.meta(), Map.of("stock", "0", "persisted", Integer.toString(purchases),
                            "state", "ENDED", "endReason", "SOLD_OUT"));
                }
                redis.del(template);
                System.out.printf("cost fixture: %d sales x %d purchases in %d ms%n", sales, purchases,
                        Duration.between(fillStart, Instant.now()).toMillis());
                assertThat(redis.hlen(SaleKeys.of(ids.get(sales - 1)).purchases())).isEqualTo(purchases);
                SaleView view = cold.view(ids.get(0)).block();
                assertThat(view.state()).isEqualTo(SaleState.ENDED);
                assertThat(view.sold()).isEqualTo(purchases);
                assertThat(view.persisted()).isEqualTo(purchases);

                Map<String, Long> before = commandStats(redis);
                PurchaseReconciler.Pass pass = pod.reconcileAll();
                Map<String, Long> after = commandStats(redis);
                Map<String, Long> delta = new TreeMap<>();
                after.forEach((cmd, calls) -> {
                    long d = calls - before.getOrDefault(cmd, 0L);
                    if (d != 0) {
                        delta.put(cmd, d);
                    }
                });
                System.out.printf("cost pass: %s%ncost pass commands (whole server, INFO commandstats): %s%n", pass, delta);

                assertThat(pass.sales()).isEqualTo(sales);
                assertThat(pass.done()).isEqualTo(sales);
                assertThat(pass.counted() + pass.paged() + pass.leasedElsewhere() + pass.failed()).isZero();
                assertThat(pass.missing()).isZero();
                // no purchase hash read, not even counted, and no lease taken
                for (String cmd : List.of("hgetall", "hscan", "hlen", "hkeys", "hvals", "hexists", "hrandfield")) {
                    assertThat(delta.getOrDefault(cmd, 0L)).as("calls of %s", cmd).isZero();
                }
                for (String id : ids) {
                    assertThat(redis.exists(SaleKeys.of(id).reconcileLease())).isZero();
                }
                // not compared with PostgreSQL either: no gauge at all (100,000 missing each otherwise)
                assertThat(meters.find("flashsale.reconciliation.missing").gauges()).isEmpty();
                assertThat(meters.find("flashsale.reconciliation.extra").gauges()).isEmpty();
                assertThat(pass.took()).isLessThan(Duration.ofSeconds(5));
            } finally {
                redis.del(template);
                for (String id : ids) {
                    redis.del(SaleKeys.of(id).all().toArray(String[]::new));
                    redis.srem(SaleKeys.REGISTRY, id);
                }
            }
        }
    }

    @Test
    void onePodAtATimeChecksASaleAndTheOthersExportNothingForIt() throws Exception {
        SaleSpec sale = activeSale("rc-lease", 100, 1);
        buyAndPersist(sale.id(), 2);
        SimpleMeterRegistry metersA = new SimpleMeterRegistry();
        SimpleMeterRegistry metersB = new SimpleMeterRegistry();
        String holderA = "pod-a-" + UUID.randomUUID();
        PurchaseReconciler a = new PurchaseReconciler(store, repository, props, metersA, holderA);
        PurchaseReconciler b = new PurchaseReconciler(store, repository, props, metersB, "pod-b-" + UUID.randomUUID());
        RedisCommands<String, String> redis;
        try (TestRedis fixture = new TestRedis()) {
            redis = fixture.connection().sync();
            String lease = SaleKeys.of(sale.id()).reconcileLease();

            assertThat(a.reconcile(sale.id()).result()).isEqualTo(PurchaseReconciler.Result.COUNTED);
            assertThat(redis.get(lease)).isEqualTo(holderA);
            assertThat(redis.pttl(lease)).isPositive();
            assertThat(b.reconcile(sale.id()).result()).isEqualTo(PurchaseReconciler.Result.LEASED_ELSEWHERE);
            assertThat(metersB.find("flashsale.reconciliation.missing").tag("sale", sale.id()).gauge()).isNull();
            assertThat(gauge(metersA, "flashsale.reconciliation.missing", sale.id())).isZero();
            // the holder keeps it from pass to pass
            assertThat(a.reconcile(sale.id()).result()).isEqualTo(PurchaseReconciler.Result.COUNTED);
            assertThat(b.reconcile(sale.id()).result()).isEqualTo(PurchaseReconciler.Result.LEASED_ELSEWHERE);

            // the holder is gone and its lease expired: the other pod takes over, the first one steps back
            redis.del(lease);
            assertThat(b.reconcile(sale.id()).result()).isEqualTo(PurchaseReconciler.Result.COUNTED);
            assertThat(gauge(metersB, "flashsale.reconciliation.missing", sale.id())).isZero();
            assertThat(a.reconcile(sale.id()).result()).isEqualTo(PurchaseReconciler.Result.LEASED_ELSEWHERE);
            assertThat(metersA.find("flashsale.reconciliation.missing").tag("sale", sale.id()).gauge()).isNull();
        }
    }

    @Test
    void gaugesGoWhenTheSaleIsDeletedOrDone() throws Exception {
        SaleSpec deleted = activeSale("rc-deleted", 100, 1);
        SaleSpec ended = activeSale("rc-ended", 100, 1);
        buyAndPersist(deleted.id(), 2);
        buyAndPersist(ended.id(), 2);
        assertThat(reconciler.reconcile(deleted.id()).result()).isEqualTo(PurchaseReconciler.Result.COUNTED);
        assertThat(reconciler.reconcile(ended.id()).result()).isEqualTo(PurchaseReconciler.Result.COUNTED);
        assertThat(registry.find("flashsale.reconciliation.missing").tag("sale", deleted.id()).gauge()).isNotNull();
        assertThat(registry.find("flashsale.reconciliation.extra").tag("sale", ended.id()).gauge()).isNotNull();

        store.delete(deleted.id(), false).block();
        store.cancel(ended.id()).block();
        reconciler.reconcileAll();
        for (String id : List.of(deleted.id(), ended.id())) {
            assertThat(registry.find("flashsale.reconciliation.missing").tag("sale", id).gauge()).as(id).isNull();
            assertThat(registry.find("flashsale.reconciliation.extra").tag("sale", id).gauge()).as(id).isNull();
        }
        assertThat(reconciler.reconcile(ended.id()).result()).isEqualTo(PurchaseReconciler.Result.DONE);
    }

    // ---- helpers ----

    /**
     * Fills a purchases hash with ARGV[2] purchases (ids ARGV[1]-<n>) of one unit decided at ARGV[3].
     * KEYS: the hash   ARGV: id prefix, n, purchasedAtMillis
     */
    private static final String FILL = """
            local n = tonumber(ARGV[2])
            for i = 1, n do
              redis.call('HSET', KEYS[1], ARGV[1] .. '-' .. string.format('%011d', i), '1|' .. ARGV[3] .. '|user-' .. i)
            end
            return redis.call('HLEN', KEYS[1])
            """;

    private void buyAndPersist(String saleId, int n) throws InterruptedException {
        for (int i = 0; i < n; i++) {
            buy(saleId, "user-" + i).expectStatus().isCreated();
        }
        await(n + " purchases of " + saleId + " persisted").atMost(Duration.ofSeconds(30)).until(() -> rowsInPostgres(saleId) == n && view(saleId).persisted() == n);
    }

    private void insertRow(String saleId, String purchaseId) {
        db.sql("INSERT INTO purchases (sale_id, purchase_id, user_id, qty, purchased_at) VALUES ($1, $2, 'ghost', 1, now())")
                .bind(0, saleId).bind(1, purchaseId).fetch().rowsUpdated().block();
    }

    private long deleteRows(String saleId, List<String> purchaseIds) {
        return db.sql("DELETE FROM purchases WHERE sale_id = $1 AND purchase_id = ANY($2::text[])")
                .bind(0, saleId).bind(1, purchaseIds.toArray(String[]::new)).fetch().rowsUpdated().block();
    }

    /** Every purchase made so far is older than the grace period (by the Redis clock, as purchasedAt). */
    private void olderThanGrace() throws InterruptedException {
        Instant until = redisNow().plus(props.reconciliation().grace()).plusMillis(50);
        await("the grace period to pass").atMost(Duration.ofSeconds(30)).until(() -> redisNow().isAfter(until));
    }

    private static double gauge(MeterRegistry meters, String name, String saleId) {
        Gauge g = meters.find(name).tag("sale", saleId).gauge();
        assertThat(g).as("%s of %s", name, saleId).isNotNull();
        return g.value();
    }

    /** calls per command, e.g. hlen -> 3, from INFO commandstats */
    private static Map<String, Long> commandStats(RedisCommands<String, String> redis) {
        Map<String, Long> calls = new HashMap<>();
        for (String line : redis.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_")) {
                String cmd = line.substring("cmdstat_".length(), line.indexOf(':'));
                String stats = line.substring(line.indexOf(':') + 1);
                for (String kv : stats.split(",")) {
                    if (kv.startsWith("calls=")) {
                        calls.put(cmd, Long.parseLong(kv.substring("calls=".length())));
                    }
                }
            }
        }
        return calls;
    }
}
