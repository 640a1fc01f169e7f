package dev.flashsale.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashsale.core.PurchaseResult.Outcome;
import dev.flashsale.core.testing.SaleFixture;
import dev.flashsale.testing.TestIds;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class SaleStoreIT {

    private static SaleFixture redis;
    private static SaleStore store;

    @BeforeAll
    static void connect() {
        redis = new SaleFixture();
        store = redis.store();
    }

    @AfterAll
    static void close() {
        redis.close();
    }

    private static PurchaseResult buy(SaleSpec sale, String user) {
        return buy(sale, user, 1, null);
    }

    private static PurchaseResult buy(SaleSpec sale, String user, int qty, String key) {
        return store.purchase(new PurchaseRequest(sale.id(), user, qty, key)).block();
    }

    @Test
    void createsOnceAndNeverResetsStock() {
        SaleSpec sale = redis.activeSale("once", 10, 1);
        assertThat(store.upsert(sale).block().outcome()).isEqualTo(UpsertResult.Outcome.CREATED);
        // listed by the script that created its keys (the relay's sweep and reconciliation go by the list)
        assertThat(store.saleIds().collectList().block()).contains(sale.id());
        assertThat(buy(sale, "alice").outcome()).isEqualTo(Outcome.SUCCESS);

        UpsertResult again = store.upsert(sale.withPaused(false)).block();
        assertThat(again.outcome()).isEqualTo(UpsertResult.Outcome.UPDATED);
        SaleView view = store.view(sale.id()).block();
        assertThat(view.stock()).isEqualTo(9);
        assertThat(view.sold()).isEqualTo(1);
        assertThat(view.state()).isEqualTo(SaleState.ACTIVE);
    }

    @Test
    void refusesStartedChangesAndLeavesRedisUntouched() {
        SaleSpec sale = redis.created(redis.activeSale("refuse", 10, 1));
        SaleSpec moreStock = new SaleSpec(sale.id(), sale.sku(), "Renamed", 20, 1, sale.startTime(), sale.endTime(), false, false);
        assertThat(store.upsert(moreStock).block().refusedField()).isEqualTo("initialStock");
        SaleSpec laterStart = new SaleSpec(sale.id(), sale.sku(), "Renamed", 10, 1, sale.startTime().plusSeconds(5), sale.endTime(), false, false);
        assertThat(store.upsert(laterStart).block().refusedField()).isEqualTo("startTime");
        SaleSpec otherSku = new SaleSpec(sale.id(), "OTHER", "Renamed", 10, 1, sale.startTime(), sale.endTime(), false, false);
        assertThat(store.upsert(otherSku).block().refusedField()).isEqualTo("sku");
        SaleView view = store.view(sale.id()).block();
        assertThat(view.productName()).isEqualTo(sale.productName());
        assertThat(view.initialStock()).isEqualTo(10);
    }

    @Test
    void beforeStartStockFollowsInitialStock() {
        Instant now = redis.now();
        SaleSpec sale = redis.created(new SaleSpec(TestIds.unique("early"), "EARLY-1", "Early", 10, 1,
                now.plusSeconds(60), now.plusSeconds(120), false, false));
        assertThat(store.view(sale.id()).block().state()).isEqualTo(SaleState.UPCOMING);
        store.upsert(new SaleSpec(sale.id(), sale.sku(), "Early", 25, 2, sale.startTime(), sale.endTime(), false, false)).block();
        SaleView view = store.view(sale.id()).block();
        assertThat(view.stock()).isEqualTo(25);
        assertThat(view.perUserLimit()).isEqualTo(2);
        assertThat(buy(sale, "bob").state()).isEqualTo(SaleState.UPCOMING);
    }

    @Test
    void missingKeysAreReportedNotRecreatedWhenTheCallerKnowsTheSale() {
        SaleSpec sale = redis.activeSale("lost", 10, 1);
        assertThat(store.upsert(sale, false).block().outcome()).isEqualTo(UpsertResult.Outcome.SALE_NOT_FOUND);
        assertThat(store.view(sale.id()).blockOptional()).isEmpty();
    }

    @Test
    void pauseResumeAndCancelIsFinal() {
        SaleSpec sale = redis.created(redis.activeSale("flags", 10, 1));
        assertThat(store.pause(sale.id(), true).block().state()).isEqualTo(SaleState.PAUSED);
        PurchaseResult paused = buy(sale, "carol");
        assertThat(paused.outcome()).isEqualTo(Outcome.SALE_NOT_ACTIVE);
        assertThat(paused.state()).isEqualTo(SaleState.PAUSED);
        assertThat(store.pause(sale.id(), false).block().state()).isEqualTo(SaleState.ACTIVE);
        assertThat(buy(sale, "carol").outcome()).isEqualTo(Outcome.SUCCESS);

        UpsertResult cancelled = store.cancel(sale.id()).block();
        assertThat(cancelled.state()).isEqualTo(SaleState.ENDED);
        assertThat(cancelled.endReason()).isEqualTo(EndReason.CANCELLED);
        assertThat(store.upsert(sale.withCancelled(false)).block().refusedField()).isEqualTo("cancelled");
        PurchaseResult after = buy(sale, "dave");
        assertThat(after.outcome()).isEqualTo(Outcome.SALE_ENDED);
        assertThat(after.endReason()).isEqualTo(EndReason.CANCELLED);
        assertThat(buy(sale, "carol").outcome()).isEqualTo(Outcome.ALREADY_PURCHASED);
    }

    @Test
    void precedenceAlreadyPurchasedThenSoldOutThenEnded() {
        SaleSpec sale = redis.created(redis.activeSale("prec", 2, 1));
        PurchaseResult first = buy(sale, "u1");
        assertThat(first.outcome()).isEqualTo(Outcome.SUCCESS);
        PurchaseResult last = buy(sale, "u2");
        assertThat(last.purchase().purchaseId()).isGreaterThan(first.purchase().purchaseId());
        SaleView view = store.view(sale.id()).block();
        assertThat(view.state()).isEqualTo(SaleState.ENDED);
        assertThat(view.endReason()).isEqualTo(EndReason.SOLD_OUT);

        PurchaseResult again = buy(sale, "u1");
        assertThat(again.outcome()).isEqualTo(Outcome.ALREADY_PURCHASED);
        assertThat(again.purchase().purchaseId()).isEqualTo(first.purchase().purchaseId());
        assertThat(buy(sale, "u3").outcome()).isEqualTo(Outcome.SOLD_OUT);
        // cancelling a sold-out sale changes nothing: the first end reason sticks
        store.cancel(sale.id()).block();
        assertThat(buy(sale, "u3").outcome()).isEqualTo(Outcome.SOLD_OUT);
        assertThat(store.view(sale.id()).block().endReason()).isEqualTo(EndReason.SOLD_OUT);
    }

    @Test
    void limitExceededAndInsufficientStock() {
        SaleSpec sale = redis.created(redis.activeSale("limit", 5, 3));
        assertThat(buy(sale, "u1", 2, null).outcome()).isEqualTo(Outcome.SUCCESS);
        PurchaseResult over = buy(sale, "u1", 2, null);
        assertThat(over.outcome()).isEqualTo(Outcome.LIMIT_EXCEEDED);
        assertThat(over.remaining()).isEqualTo(1);
        assertThat(buy(sale, "u1", 1, null).outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(buy(sale, "u1", 1, null).outcome()).isEqualTo(Outcome.ALREADY_PURCHASED);
        PurchaseResult tooMany = buy(sale, "u2", 3, null);
        assertThat(tooMany.outcome()).isEqualTo(Outcome.INSUFFICIENT_STOCK);
        assertThat(tooMany.remaining()).isEqualTo(2);
        assertThat(buy(sale, "u2", 2, null).outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(store.view(sale.id()).block().endReason()).isEqualTo(EndReason.SOLD_OUT);
    }

    @Test
    void idempotencyKeyReplaysTheSamePurchase() {
        SaleSpec sale = redis.created(redis.activeSale("idem", 5, 2));
        PurchaseResult first = buy(sale, "u1", 1, "key-1");
        PurchaseResult replay = buy(sale, "u1", 1, "key-1");
        assertThat(replay.outcome()).isEqualTo(Outcome.REPLAY);
        assertThat(replay.purchase()).isEqualTo(first.purchase());
        // the key belongs to the user: another user with the same key buys for themselves
        assertThat(buy(sale, "u2", 1, "key-1").outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(store.view(sale.id()).block().sold()).isEqualTo(2);
    }

    @Test
    void invalidInputNeverReachesRedis() {
        assertThatThrownBy(() -> store.purchase(new PurchaseRequest("x", "  ", 1, null)))
                .isInstanceOf(Violations.InvalidInputException.class);
        assertThatThrownBy(() -> store.purchase(new PurchaseRequest("x", "a\u0007b", 0, "bad key")))
                .isInstanceOfSatisfying(Violations.InvalidInputException.class,
                        e -> assertThat(e.fields()).containsOnlyKeys("X-User-Id", "qty", "Idempotency-Key"));
    }

    @Test
    void scriptsSurviveAScriptCacheFlush() {
        SaleSpec sale = redis.created(redis.activeSale("flush", 5, 1));
        redis.connection().sync().scriptFlush();
        assertThat(buy(sale, "u1").outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(store.view(sale.id()).block().stock()).isEqualTo(4);
    }

    @Test
    void deleteWaitsForPersistence() {
        SaleSpec sale = redis.created(redis.activeSale("del", 5, 1));
        PurchaseResult bought = buy(sale, "u1");
        assertThat(store.delete(sale.id(), false).block().outcome()).isEqualTo(DeleteResult.Outcome.NOT_PERSISTED);
        assertThat(store.saleIds().collectList().block()).as("listed while its keys stay").contains(sale.id());
        assertThat(store.markPersisted(sale.id(), List.of(new SaleStore.Persisted(bought.purchase(), null))).block()).isEqualTo(1);
        // reported twice, counted once
        assertThat(store.markPersisted(sale.id(), List.of(new SaleStore.Persisted(bought.purchase(), null))).block()).isEqualTo(1);
        assertThat(store.myPurchase(sale.id(), "u1").block().persisted()).isTrue();
        assertThat(store.delete(sale.id(), false).block().outcome()).isEqualTo(DeleteResult.Outcome.DELETED);
        assertThat(store.view(sale.id()).blockOptional()).isEmpty();
        assertThat(store.saleIds().collectList().block()).doesNotContain(sale.id());
    }

    @Test
    void purchaseIdsNeverRepeatAcrossLivesOfANameNorAfterTheCounterIsRestored() {
        SaleSpec sale = redis.created(redis.activeSale("lives", 100, 1));
        SaleView firstLife = store.view(sale.id()).block();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(buy(sale, "first-" + i).purchase().purchaseId());
        }
        assertThat(ids).allSatisfy(id -> assertThat(id).matches(sale.id() + "-[0-9a-z]{11}").isGreaterThan(firstLife.lifeStart()));
        assertThat(ids).isSorted();

        // a Redis that comes back from an older state: the counter rolls back to before these sales
        redis.connection().sync().hset(SaleKeys.of(sale.id()).meta(), "seq", "1");
        ids.add(buy(sale, "after-restore").purchase().purchaseId());

        // the same name declared again: a new life, whose ids sort after every id of the last one
        store.delete(sale.id(), true).block();
        redis.created(sale);
        SaleView secondLife = store.view(sale.id()).block();
        assertThat(secondLife.incarnation()).isNotEqualTo(firstLife.incarnation());
        assertThat(secondLife.lifeStart()).isGreaterThan(ids.get(ids.size() - 1));
        for (int i = 0; i < 3; i++) {
            ids.add(buy(sale, "first-" + i).purchase().purchaseId());
        }
        assertThat(ids).doesNotHaveDuplicates().hasSize(7).isSorted();
        assertThat(ids.subList(4, 7)).allSatisfy(id -> assertThat(id).isGreaterThan(secondLife.lifeStart()));
    }

    /** Hundreds of threads race for the last units; repeated so that a rare interleaving would show. */
    @RepeatedTest(5)
    void threadsRacingForTheLastUnitsNeverOversell() throws Exception {
        SaleSpec sale = redis.created(redis.activeSale("race", 3, 1));
        int threads = 300;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<PurchaseResult>> results = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            String user = "user-" + (i % 250); // 50 users send twice
            results.add(pool.submit(() -> {
                go.await();
                return buy(sale, user);
            }));
        }
        go.countDown();
        ConcurrentHashMap<String, Boolean> winners = new ConcurrentHashMap<>();
        int success = 0;
        for (Future<PurchaseResult> f : results) {
            PurchaseResult r = f.get();
            if (r.outcome() == Outcome.SUCCESS) {
                success++;
                assertThat(winners.put(r.purchase().userId(), true)).isNull();
            } else {
                assertThat(r.outcome()).isIn(Outcome.SOLD_OUT, Outcome.ALREADY_PURCHASED);
            }
        }
        pool.shutdown();
        assertThat(success).isEqualTo(3);
        SaleView view = store.view(sale.id()).block();
        assertThat(view.stock()).isZero();
        assertThat(view.sold()).isEqualTo(3);
        assertThat(store.purchases(sale.id()).collectList().block()).hasSize(3);
    }

    @Test
    void clockBoundariesByTheRedisClock() throws Exception {
        Instant now = redis.now();
        Instant start = now.plusMillis(300);
        Instant end = start.plusMillis(400);
        SaleSpec sale = redis.created(new SaleSpec(TestIds.unique("clock"), "CLOCK-1", "Clock", 1_000_000, 1,
                start, end, false, false));
        int i = 0;
        Instant deadline = end.plusMillis(200);
        boolean sawBefore = false, sawDuring = false, sawAfter = false;
        while (redis.now().isBefore(deadline)) {
            PurchaseResult r = buy(sale, "u" + i++);
            Instant t = r.serverTime();
            if (t.isBefore(start)) {
                assertThat(r.outcome()).as("at %s", t).isEqualTo(Outcome.SALE_NOT_ACTIVE);
                sawBefore = true;
            } else if (t.isBefore(end)) {
                assertThat(r.outcome()).as("at %s", t).isEqualTo(Outcome.SUCCESS);
                sawDuring = true;
            } else {
                assertThat(r.outcome()).as("at %s", t).isEqualTo(Outcome.SALE_ENDED);
                assertThat(r.endReason()).isEqualTo(EndReason.TIME_EXPIRED);
                sawAfter = true;
            }
        }
        assertThat(sawBefore && sawDuring && sawAfter).isTrue();
    }
}
