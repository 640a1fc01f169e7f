package dev.flashsale.core;

import io.lettuce.core.KeyValue;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Every read and write of sale keys goes through here: sale-api and the operator share this one
 * writer. Reactive (Lettuce); blocking callers such as the operator call {@code block()} on their
 * own threads.
 */
public final class SaleStore {

    private static final String CHANNEL = SaleKeys.EVENTS_CHANNEL;

    private final RedisReactiveCommands<String, String> redis;

    public SaleStore(RedisReactiveCommands<String, String> redis) {
        this.redis = redis;
        // read the scripts now, on the caller's thread, not lazily on an event loop
        Scripts.values();
    }

    /** Creates the sale (stock initialised here, once) or applies a changed spec. */
    public Mono<UpsertResult> upsert(SaleSpec spec) {
        return upsert(spec, true);
    }

    /**
     * @param create false when the caller knows the sale was created before (e.g. the operator sees
     *               StockInitialized): missing keys then mean lost Redis data, reported as SALE_NOT_FOUND
     *               instead of selling the whole stock a second time.
     */
    public Mono<UpsertResult> upsert(SaleSpec spec, boolean create) {
        spec.validate().throwIfAny();
        SaleKeys k = SaleKeys.of(spec.id());
        return Scripts.UPSERT.<List<Object>>run(redis, ScriptOutputType.MULTI, List.of(k.meta(), k.outbox(), SaleKeys.REGISTRY),
                        CHANNEL, SaleKeys.RELAY_GROUP, create ? "1" : "0", spec.id(), spec.sku(),
                        spec.productName().strip(), Long.toString(spec.initialStock()),
                        Integer.toString(spec.perUserLimit()), millis(spec.startTime()), millis(spec.endTime()),
                        flag(spec.paused()), flag(spec.cancelled()),
                        spec.holdFor() == null ? "0" : Long.toString(spec.holdFor().toMillis()))
                .map(SaleStore::upsertResult);
    }

    public Mono<UpsertResult> pause(String saleId, boolean paused) {
        return setFlag(saleId, "paused", paused);
    }

    public Mono<UpsertResult> cancel(String saleId) {
        return setFlag(saleId, "cancelled", true);
    }

    private Mono<UpsertResult> setFlag(String saleId, String field, boolean value) {
        return Scripts.SET_FLAG.<List<Object>>run(redis, ScriptOutputType.MULTI, List.of(SaleKeys.of(saleId).meta()),
                CHANNEL, field, flag(value)).map(SaleStore::upsertResult);
    }

    private static UpsertResult upsertResult(List<Object> r) {
        UpsertResult.Outcome outcome = UpsertResult.Outcome.valueOf((String) r.get(0));
        return switch (outcome) {
            case CREATED, UPDATED -> new UpsertResult(outcome, SaleState.valueOf((String) r.get(1)),
                    EndReason.fromScript((String) r.get(2)), null);
            case REFUSED -> new UpsertResult(outcome, null, null, (String) r.get(1));
            case SALE_NOT_FOUND -> new UpsertResult(outcome, null, null, null);
        };
    }

    /** Removes the sale's hot keys once persisted == sold (or at once with {@code force}). */
    public Mono<DeleteResult> delete(String saleId, boolean force) {
        SaleKeys k = SaleKeys.of(saleId);
        List<String> keys = new ArrayList<>(k.all());
        keys.add(SaleKeys.REGISTRY);
        return Scripts.DELETE.<List<Object>>run(redis, ScriptOutputType.MULTI, keys, flag(force), saleId)
                .map(r -> new DeleteResult(DeleteResult.Outcome.valueOf((String) r.get(0)),
                        Scripts.num(r.get(1)), Scripts.num(r.get(2))));
    }

    /** The atomic view of one sale; empty when unknown. Also records a due state transition. */
    public Mono<SaleView> view(String saleId) {
        return Scripts.VIEW.<List<Object>>run(redis, ScriptOutputType.MULTI, List.of(SaleKeys.of(saleId).meta()), CHANNEL)
                .filter(r -> !r.isEmpty())
                .map(SaleView::fromScript);
    }

    public Flux<String> saleIds() {
        return redis.smembers(SaleKeys.REGISTRY);
    }

    /** Every known sale ordered by start time. */
    public Flux<SaleView> list() {
        return saleIds().flatMap(this::view)
                .sort((a, b) -> a.startTime().compareTo(b.startTime()) != 0
                        ? a.startTime().compareTo(b.startTime()) : a.id().compareTo(b.id()));
    }

    public Mono<PurchaseResult> purchase(PurchaseRequest request) {
        request.validate().throwIfAny();
        SaleKeys k = SaleKeys.of(request.saleId());
        return Scripts.PURCHASE.<List<Object>>run(redis, ScriptOutputType.MULTI,
                        List.of(k.meta(), k.buyers(), k.purchases(), k.outbox(), k.idempotency(), k.persisted(),
                                k.holds(), k.expiry()),
                        CHANNEL, request.userId(), Integer.toString(request.qty()),
                        request.idempotencyKey() == null ? "" : request.idempotencyKey())
                .map(r -> PurchaseResult.fromScript(request.saleId(), r));
    }

    /** A shopper's own purchase in a sale: the latest one and whether it is persisted. */
    public Mono<MyPurchase> myPurchase(String saleId, String userId) {
        SaleKeys k = SaleKeys.of(saleId);
        return Scripts.MY_PURCHASE.<List<Object>>run(redis, ScriptOutputType.MULTI,
                        List.of(k.meta(), k.buyers(), k.purchases(), k.persisted(), k.holds()), userId.strip())
                .map(r -> MyPurchase.fromScript(saleId, r));
    }

    // ---- checkout ----

    /** The keys release() in common.lua works on, in the order pay, cancel and expire expect. */
    private static List<String> holdKeys(SaleKeys k) {
        return List.of(k.meta(), k.buyers(), k.purchases(), k.outbox(), k.persisted(), k.holds(), k.expiry());
    }

    /** A payment of the hold {@code purchaseId} (the sale id is the purchase id's prefix). */
    public Mono<HoldResult> pay(String saleId, String purchaseId, String paymentId) {
        SaleKeys k = SaleKeys.of(saleId);
        List<String> keys = new ArrayList<>(holdKeys(k));
        keys.add(k.payments());
        return Scripts.PAY.<List<Object>>run(redis, ScriptOutputType.MULTI, keys, CHANNEL, purchaseId, paymentId)
                .map(r -> HoldResult.fromScript(saleId, r));
    }

    /** The shopper gives up their latest purchase while it is held. */
    public Mono<HoldResult> cancel(String saleId, String userId) {
        return Scripts.CANCEL.<List<Object>>run(redis, ScriptOutputType.MULTI, holdKeys(SaleKeys.of(saleId)),
                CHANNEL, userId.strip()).map(r -> HoldResult.fromScript(saleId, r));
    }

    /** Expires at most {@code max} of the sale's due holds. */
    public Mono<Expiry> expire(String saleId, int max) {
        return Scripts.EXPIRE.<List<Object>>run(redis, ScriptOutputType.MULTI, holdKeys(SaleKeys.of(saleId)),
                CHANNEL, Integer.toString(max)).map(r -> new Expiry(Scripts.num(r.get(0)),
                        Scripts.num(r.get(1)) < 0 ? null : Scripts.instant(r.get(1)), Scripts.instant(r.get(2))));
    }

    /**
     * What one expiry call did: {@code expired} holds released (-1: the sale is gone), the next open
     * hold's expiresAt (null: none open), the Redis clock.
     */
    public record Expiry(long expired, Instant nextExpiresAt, Instant serverTime) {}

    /** A purchase committed in PostgreSQL, with the ledger event stored with it (null: no checkout). */
    public record Persisted(Purchase purchase, LedgerEvent.Kind event) {}

    /**
     * Counts purchases of one sale as committed in PostgreSQL with their current status; returns the
     * persisted units (-1: sale gone).
     */
    public Mono<Long> markPersisted(String saleId, List<Persisted> stored) {
        SaleKeys k = SaleKeys.of(saleId);
        List<String> args = new ArrayList<>(1 + stored.size() * 3);
        args.add(CHANNEL);
        for (Persisted p : stored) {
            args.add(p.purchase().purchaseId());
            args.add(Integer.toString(p.purchase().qty()));
            args.add(p.event() == null ? "" : p.event().name());
        }
        return Scripts.MARK_PERSISTED.run(redis, ScriptOutputType.INTEGER, List.of(k.meta(), k.persisted(), k.holds()),
                args.toArray(String[]::new));
    }

    /** Every purchase the sale's Redis keys hold, by purchase id. */
    public Flux<Purchase> purchases(String saleId) {
        return redis.hgetall(SaleKeys.of(saleId).purchases())
                .map(kv -> Purchase.fromRecord(saleId, kv.getKey(), kv.getValue()));
    }

    /** Appends the given purchases to the outbox again; returns how many still existed. */
    public Mono<Long> redrive(String saleId, List<String> purchaseIds) {
        SaleKeys k = SaleKeys.of(saleId);
        return Scripts.REDRIVE.run(redis, ScriptOutputType.INTEGER,
                List.of(k.meta(), k.purchases(), k.outbox(), k.holds()), purchaseIds.toArray(String[]::new));
    }

    // ---- reconciliation: cheap reads that never load a whole sale ----

    /** How many purchases the sale's Redis keys hold (HLEN: constant time, reads no record). */
    public Mono<Long> purchaseCount(String saleId) {
        return redis.hlen(SaleKeys.of(saleId).purchases());
    }

    /**
     * One page of the purchases hash (HSCAN with COUNT {@code count}); start with cursor "0" and go
     * on until {@link PurchasePage#finished()}. Memory is bounded by the page, not by the sale; as
     * with any SCAN, a purchase may come twice while the hash grows.
     */
    public Mono<PurchasePage> purchasePage(String saleId, String cursor, int count) {
        return redis.hscan(SaleKeys.of(saleId).purchases(), ScanCursor.of(cursor), ScanArgs.Builder.limit(count))
                .map(c -> new PurchasePage(c.getMap().entrySet().stream()
                        .map(e -> Purchase.fromRecord(saleId, e.getKey(), e.getValue())).toList(),
                        c.getCursor(), c.isFinished()));
    }

    /** A page of the purchases hash and the cursor of the next one. */
    public record PurchasePage(List<Purchase> purchases, String cursor, boolean finished) {}

    /** Which of the given purchase ids the sale's Redis keys hold (one HMGET). */
    public Mono<Set<String>> knownPurchaseIds(String saleId, List<String> purchaseIds) {
        if (purchaseIds.isEmpty()) {
            return Mono.just(Set.of());
        }
        return redis.hmget(SaleKeys.of(saleId).purchases(), purchaseIds.toArray(String[]::new))
                .filter(KeyValue::hasValue).map(KeyValue::getKey).collect(Collectors.toSet());
    }

    /** The hold records of the given purchases that have one (checkout), by purchase id (one HMGET). */
    public Mono<Map<String, Hold>> holds(String saleId, List<String> purchaseIds) {
        if (purchaseIds.isEmpty()) {
            return Mono.just(Map.of());
        }
        return redis.hmget(SaleKeys.of(saleId).holds(), purchaseIds.toArray(String[]::new))
                .filter(KeyValue::hasValue).collectMap(KeyValue::getKey, kv -> Hold.parse(kv.getValue()));
    }

    /** How many purchases PostgreSQL holds with their current status (SCARD of the persisted set). */
    public Mono<Long> persistedPurchaseCount(String saleId) {
        return redis.scard(SaleKeys.of(saleId).persisted());
    }

    /** Entries waiting in the sale's outbox (XLEN). */
    public Mono<Long> outboxLength(String saleId) {
        return redis.xlen(SaleKeys.of(saleId).outbox());
    }

    /**
     * Takes the sale's reconciliation lease for {@code holder} for {@code ttl} (SET NX PX), or renews
     * it when {@code holder} has it already; false while another holder has it.
     */
    public Mono<Boolean> reconcileLease(String saleId, String holder, Duration ttl) {
        String key = SaleKeys.of(saleId).reconcileLease();
        return redis.set(key, holder, SetArgs.Builder.nx().px(ttl.toMillis()))
                .map("OK"::equals)
                .filter(taken -> taken)
                .switchIfEmpty(Mono.defer(() -> redis.get(key)
                        .flatMap(h -> h.equals(holder) ? redis.pexpire(key, ttl.toMillis()) : Mono.just(false))
                        .defaultIfEmpty(false)));
    }

    /** The ids of the users who bought in a sale: final once the sale has ended. */
    public Flux<String> buyerIds(String saleId) {
        return redis.hkeys(SaleKeys.of(saleId).buyers());
    }

    public Mono<Instant> serverTime() {
        return redis.time().collectList()
                .map(t -> Instant.ofEpochSecond(Long.parseLong(t.get(0)), Long.parseLong(t.get(1)) * 1000));
    }

    private static String millis(Instant t) {
        return Long.toString(t.toEpochMilli());
    }

    private static String flag(boolean b) {
        return b ? "1" : "0";
    }
}
