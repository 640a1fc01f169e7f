package dev.flashsale.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.core.HoldResult.Outcome;
import dev.flashsale.core.testing.SaleFixture;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Checkout holds in real Redis: the rules of docs/contract/api.md "Checkout", one script at a time and racing. */
class CheckoutIT {

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

    private static SaleSpec checkoutSale(String prefix, long stock, int limit, Duration holdFor) {
        return redis.created(redis.activeSale(prefix, stock, limit).withHoldFor(holdFor));
    }

    private static PurchaseResult buy(SaleSpec sale, String user) {
        return store.purchase(new PurchaseRequest(sale.id(), user, 1, null)).block();
    }

    private static SaleView view(SaleSpec sale) {
        return store.view(sale.id()).block();
    }

    @Test
    void aPurchaseIsAHoldUntilPaidAndAPaymentIsAnsweredOnce() {
        SaleSpec sale = checkoutSale("pay", 10, 1, Duration.ofMinutes(10));
        PurchaseResult held = buy(sale, "alice");
        assertThat(held.outcome()).isEqualTo(PurchaseResult.Outcome.SUCCESS);
        assertThat(held.hold().status()).isEqualTo(Hold.Status.HELD);
        assertThat(Duration.between(held.serverTime(), held.hold().expiresAt())).isEqualTo(Duration.ofMinutes(10));
        SaleView v = view(sale);
        assertThat(List.of(v.stock(), v.held(), v.confirmed(), v.sold())).containsExactly(9L, 1L, 0L, 1L);
        assertThat(v.holdFor()).isEqualTo(Duration.ofMinutes(10));
        // the open hold counts against the limit
        assertThat(buy(sale, "alice").outcome()).isEqualTo(PurchaseResult.Outcome.ALREADY_PURCHASED);

        String pid = held.purchase().purchaseId();
        HoldResult paid = store.pay(sale.id(), pid, "pay-1").block();
        assertThat(paid.outcome()).isEqualTo(Outcome.CONFIRMED);
        assertThat(paid.hold().status()).isEqualTo(Hold.Status.CONFIRMED);
        assertThat(paid.hold().paymentId()).isEqualTo("pay-1");
        v = view(sale);
        assertThat(List.of(v.stock(), v.held(), v.confirmed())).containsExactly(9L, 0L, 1L);

        // the provider retries: the same answer; another payment for it: refused, for a refund
        HoldResult again = store.pay(sale.id(), pid, "pay-1").block();
        assertThat(List.of(again.outcome(), again.purchase(), again.hold())).containsExactly(paid.outcome(), paid.purchase(), paid.hold());
        assertThat(store.pay(sale.id(), pid, "pay-2").block().outcome()).isEqualTo(Outcome.ALREADY_PAID);
        assertThat(store.pay(sale.id(), sale.id() + "-00000000000", "pay-3").block().outcome())
                .isEqualTo(Outcome.PURCHASE_NOT_FOUND);
        assertThat(ledger(sale)).containsExactly("HELD " + pid, "CONFIRMED " + pid, "DUPLICATE_PAYMENT " + pid);
        assertThat(store.myPurchase(sale.id(), "alice").block().hold().status()).isEqualTo(Hold.Status.CONFIRMED);
    }

    @Test
    void aCancelledHoldReturnsItsUnitAndTheShoppersAllowanceOnce() {
        SaleSpec sale = checkoutSale("cancel", 1, 1, Duration.ofMinutes(10));
        String pid = buy(sale, "bob").purchase().purchaseId();
        assertThat(buy(sale, "carol").outcome()).isEqualTo(PurchaseResult.Outcome.SOLD_OUT);

        HoldResult cancelled = store.cancel(sale.id(), "bob").block();
        assertThat(cancelled.outcome()).isEqualTo(Outcome.CANCELLED);
        assertThat(store.cancel(sale.id(), "bob").block().outcome()).isEqualTo(Outcome.PURCHASE_NOT_HELD);
        assertThat(store.cancel(sale.id(), "nobody").block().outcome()).isEqualTo(Outcome.PURCHASE_NOT_FOUND);
        assertThat(view(sale).stock()).isEqualTo(1);
        // a payment that arrives now is refused and recorded
        assertThat(store.pay(sale.id(), pid, "late").block().outcome()).isEqualTo(Outcome.HOLD_EXPIRED);
        // the unit sells again, to bob too: his allowance came back
        assertThat(buy(sale, "bob").outcome()).isEqualTo(PurchaseResult.Outcome.SUCCESS);
        assertThat(ledger(sale)).hasSize(4).contains("CANCELLED " + pid, "PAYMENT_AFTER_EXPIRY " + pid);
    }

    @Test
    void aSaleWithOpenHoldsAndNoStockIsSoldOutButNotOverUntilTheLastHoldIsSettled() {
        SaleSpec sale = checkoutSale("soldout", 2, 1, Duration.ofMinutes(10));
        String a = buy(sale, "a").purchase().purchaseId();
        String b = buy(sale, "b").purchase().purchaseId();
        PurchaseResult late = buy(sale, "c");
        assertThat(late.outcome()).isEqualTo(PurchaseResult.Outcome.SOLD_OUT);
        assertThat(late.state()).as("not ended: holds may come back").isEqualTo(SaleState.ACTIVE);
        assertThat(view(sale).state()).isEqualTo(SaleState.ACTIVE);

        store.pay(sale.id(), a, "p-a").block();
        assertThat(view(sale).state()).isEqualTo(SaleState.ACTIVE);
        store.cancel(sale.id(), "b").block();
        assertThat(buy(sale, "c").outcome()).isEqualTo(PurchaseResult.Outcome.SUCCESS);
        String c = store.myPurchase(sale.id(), "c").block().purchase().orElseThrow().purchaseId();
        store.pay(sale.id(), c, "p-c").block();
        SaleView v = view(sale);
        assertThat(v.state()).isEqualTo(SaleState.ENDED);
        assertThat(v.endReason()).isEqualTo(EndReason.SOLD_OUT);
        assertThat(v.confirmed()).isEqualTo(2);
        assertThat(b).isNotEqualTo(c);
    }

    @Test
    void anUnpaidHoldExpiresAtItsTimeNotBeforeAndAPaymentAtThatInstantLoses() throws Exception {
        SaleSpec sale = checkoutSale("expire", 3, 1, Duration.ofSeconds(1));
        PurchaseResult first = buy(sale, "x");
        PurchaseResult second = buy(sale, "y");
        assertThat(store.expire(sale.id(), 100).block().expired()).as("nothing due yet").isZero();
        SaleStore.Expiry next = store.expire(sale.id(), 100).block();
        assertThat(next.nextExpiresAt()).isEqualTo(first.hold().expiresAt());

        waitUntil(second.hold().expiresAt());
        // the payment comes at or after expiresAt, before any expiry ran: the expiry wins, once
        assertThat(store.pay(sale.id(), first.purchase().purchaseId(), "too-late").block().outcome())
                .isEqualTo(Outcome.HOLD_EXPIRED);
        SaleStore.Expiry swept = store.expire(sale.id(), 100).block();
        assertThat(swept.expired()).as("only the other hold was still due").isEqualTo(1);
        assertThat(swept.nextExpiresAt()).isNull();
        assertThat(store.expire(sale.id(), 100).block().expired()).isZero();
        SaleView v = view(sale);
        assertThat(List.of(v.stock(), v.held(), v.confirmed())).containsExactly(3L, 0L, 0L);
        assertThat(store.myPurchase(sale.id(), "y").block().hold().status()).isEqualTo(Hold.Status.EXPIRED);
        assertThat(store.myPurchase(sale.id(), "y").block().totalQty()).as("allowance back").isZero();
    }

    @Test
    void theHoldWindowCannotChangeOnceTheSaleHasStarted() {
        SaleSpec sale = checkoutSale("immutable", 3, 1, Duration.ofMinutes(5));
        UpsertResult r = store.upsert(sale.withHoldFor(Duration.ofMinutes(6))).block();
        assertThat(r.outcome()).isEqualTo(UpsertResult.Outcome.REFUSED);
        assertThat(r.refusedField()).isEqualTo("checkout.holdFor");
        assertThat(store.upsert(sale.withHoldFor(null)).block().outcome()).isEqualTo(UpsertResult.Outcome.REFUSED);
        assertThat(view(sale).holdFor()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void deletionWaitsForOpenHoldsAndForEveryStatusToBePersisted() {
        SaleSpec sale = checkoutSale("delete", 3, 1, Duration.ofMinutes(5));
        PurchaseResult held = buy(sale, "d");
        Purchase p = held.purchase();
        store.markPersisted(sale.id(), List.of(new SaleStore.Persisted(p, LedgerEvent.Kind.HELD))).block();
        assertThat(store.delete(sale.id(), false).block().outcome()).as("a hold is open").isEqualTo(DeleteResult.Outcome.NOT_PERSISTED);
        store.cancel(sale.id(), "d").block();
        assertThat(view(sale).persisted()).as("PostgreSQL's HELD is no longer the status").isZero();
        // a late report of the old status counts nothing
        store.markPersisted(sale.id(), List.of(new SaleStore.Persisted(p, LedgerEvent.Kind.HELD))).block();
        assertThat(store.delete(sale.id(), false).block().outcome()).isEqualTo(DeleteResult.Outcome.NOT_PERSISTED);
        store.markPersisted(sale.id(), List.of(new SaleStore.Persisted(p, LedgerEvent.Kind.CANCELLED))).block();
        assertThat(store.delete(sale.id(), false).block().outcome()).isEqualTo(DeleteResult.Outcome.DELETED);
    }

    /**
     * Acceptance 1 of the checkout issue, Redis side: 1,000 shoppers hold 100 units while payments,
     * cancellations and two expiry loops (two pods) race. Sampled atomically all along: stock + held
     * + confirmed == initialStock, where held and confirmed are recounted from the hold records, not
     * taken from the counters. Afterwards every purchase's ledger is HELD then at most one end.
     */
    @Test
    void holdsPaymentsCancellationsAndExpiriesRaceWithoutLosingOrDoublingAUnit() throws Exception {
        int shoppers = 1_000;
        long stock = 100;
        SaleSpec sale = checkoutSale("race", stock, 1, Duration.ofSeconds(1));
        AtomicBoolean done = new AtomicBoolean();
        ConcurrentLinkedQueue<String> held = new ConcurrentLinkedQueue<>();
        Map<String, Outcome> payments = new ConcurrentHashMap<>();
        AtomicInteger cancels = new AtomicInteger();
        List<String> broken = new ArrayList<>();
        AtomicInteger samples = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<?>> work = new ArrayList<>();
        Instant deadline = Instant.now().plusSeconds(60);
        // shoppers: 8 threads, each going through its share; a shopper keeps trying (units come back)
        // until they hold once or the sale is over
        for (int t = 0; t < 8; t++) {
            int first = t;
            work.add(pool.submit(() -> {
                for (int i = first; i < shoppers && Instant.now().isBefore(deadline); i += 8) {
                    String user = "s" + i;
                    while (Instant.now().isBefore(deadline)) {
                        PurchaseResult r = buy(sale, user);
                        if (r.outcome() == PurchaseResult.Outcome.SUCCESS) {
                            held.add(user + " " + r.purchase().purchaseId());
                            break;
                        }
                        if (r.outcome() == PurchaseResult.Outcome.SALE_ENDED || r.state() == SaleState.ENDED) {
                            return;
                        }
                        sleep(10);
                    }
                }
            }));
        }
        // payers and cancellers take holds as they come: a third paid, a tenth cancelled, the rest left to expire
        Future<?> settle = pool.submit(() -> {
            int n = 0;
            while (!done.get() || !held.isEmpty()) {
                String h = held.poll();
                if (h == null) {
                    Thread.onSpinWait();
                    continue;
                }
                String[] up = h.split(" ");
                n++;
                if (n % 3 == 0) {
                    payments.put(up[1], store.pay(sale.id(), up[1], "pay-" + up[1]).block().outcome());
                } else if (n % 10 == 1) {
                    if (store.cancel(sale.id(), up[0]).block().outcome() == Outcome.CANCELLED) {
                        cancels.incrementAndGet();
                    }
                }
            }
        });
        // two pods' expiry loops
        for (int pod = 0; pod < 2; pod++) {
            work.add(pool.submit(() -> {
                while (!done.get()) {
                    store.expire(sale.id(), 50).block();
                    sleep(50);
                }
            }));
        }
        Future<?> sampler = pool.submit(() -> {
            while (!done.get()) {
                List<Long> s = snapshot(sale);
                samples.incrementAndGet();
                if (s.get(0) + s.get(1) + s.get(2) != stock || s.get(1) != s.get(3)) {
                    synchronized (broken) {
                        broken.add(s.toString());
                    }
                }
            }
        });
        for (int i = 0; i < 8; i++) {
            work.get(i).get(120, TimeUnit.SECONDS);
        }
        // let the last holds expire, then stop the loops
        sleep(2_500);
        done.set(true);
        settle.get(60, TimeUnit.SECONDS);
        for (Future<?> f : work) {
            f.get(60, TimeUnit.SECONDS);
        }
        sampler.get(60, TimeUnit.SECONDS);
        store.expire(sale.id(), 1_000).block();
        pool.shutdown();

        assertThat(broken).as("invariant broken at sampled instants (of %d)", samples.get()).isEmpty();
        assertThat(samples.get()).isGreaterThan(10);
        SaleView v = view(sale);
        long confirmed = payments.values().stream().filter(o -> o == Outcome.CONFIRMED).count();
        assertThat(v.held()).isZero();
        assertThat(v.confirmed()).isEqualTo(confirmed);
        assertThat(v.stock()).isEqualTo(stock - confirmed);
        assertThat(confirmed).isBetween(1L, stock);

        // the ledger: per purchase HELD first, then at most one end; ends match what was answered
        Map<String, List<String>> byPurchase = new HashMap<>();
        for (String e : ledger(sale)) {
            String[] kp = e.split(" ");
            byPurchase.computeIfAbsent(kp[1], k -> new ArrayList<>()).add(kp[0]);
        }
        long expired = 0;
        long cancelled = 0;
        for (Map.Entry<String, List<String>> e : byPurchase.entrySet()) {
            List<String> events = e.getValue().stream()
                    .filter(k -> !k.equals("PAYMENT_AFTER_EXPIRY") && !k.equals("DUPLICATE_PAYMENT")).toList();
            assertThat(events.get(0)).isEqualTo("HELD");
            assertThat(events).as("purchase %s", e.getKey()).hasSize(2);
            expired += events.get(1).equals("EXPIRED") ? 1 : 0;
            cancelled += events.get(1).equals("CANCELLED") ? 1 : 0;
            assertThat(events.get(1).equals("CONFIRMED")).isEqualTo(payments.get(e.getKey()) == Outcome.CONFIRMED);
        }
        assertThat(cancelled).isEqualTo(cancels.get());
        assertThat((long) byPurchase.size()).as("holds taken").isEqualTo(confirmed + expired + cancelled);
        assertThat((long) byPurchase.size()).as("units sold again after their release").isGreaterThan(stock);
        System.out.printf("checkout race: %d holds, %d confirmed, %d expired, %d cancelled, %d samples%n",
                byPurchase.size(), confirmed, expired, cancelled, samples.get());
    }

    /** {stock, held, confirmed, held counter}, the middle two recounted from the hold records, atomically. */
    private static List<Long> snapshot(SaleSpec sale) {
        SaleKeys k = SaleKeys.of(sale.id());
        String lua = """
                local held, confirmed = 0, 0
                local h = redis.call('HGETALL', KEYS[2])
                for i = 1, #h, 2 do
                  local qty = tonumber((parse_record(redis.call('HGET', KEYS[3], h[i]))))
                  local s = parse_hold(h[i + 1]).status
                  if s == 'HELD' then held = held + qty elseif s == 'CONFIRMED' then confirmed = confirmed + qty end
                end
                local m = load_meta(KEYS[1])
                return {m.stock, held, confirmed, m.held}
                """;
        List<Long> r = redis.connection().sync().eval(Scripts.withPrelude(lua), ScriptOutputType.MULTI,
                k.meta(), k.holds(), k.purchases());
        return r;
    }

    /** The sale's outbox as "EVENT purchaseId", in order. */
    private static List<String> ledger(SaleSpec sale) {
        return redis.connection().sync().xrange(SaleKeys.of(sale.id()).outbox(), io.lettuce.core.Range.create("-", "+"))
                .stream().map(m -> m.getBody().get("event") + " " + m.getBody().get("purchaseId")).toList();
    }

    private static void waitUntil(Instant redisTime) throws InterruptedException {
        while (!redis.now().isAfter(redisTime)) {
            Thread.sleep(50);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
