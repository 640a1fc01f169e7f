package dev.flashsale.api.persistence;

import dev.flashsale.api.config.FlashsaleProperties;
import dev.flashsale.core.Hold;
import dev.flashsale.core.Purchase;
import dev.flashsale.core.SaleState;
import dev.flashsale.core.SaleStore;
import dev.flashsale.core.SaleView;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Compares each sale's purchases in Redis with PostgreSQL: {@code missing} (decided, older than the
 * grace period, not in the database) and {@code extra} (in the database, unknown to Redis), and
 * appends missing purchases to the outbox again.
 *
 * <p>What a pass costs grows with what is wrong, not with what was sold:
 * <ul>
 * <li>a sale that has ended with every sold unit persisted is done: one read of its meta (the view
 *     script), never its purchases nor PostgreSQL;</li>
 * <li>any other sale is checked by one pod at a time (a Redis lease per sale, renewed by its holder
 *     while it lives; the others skip the sale and export nothing for it), by counts first: HLEN of
 *     the purchases hash against {@code count(*)} of the sale's current life in PostgreSQL (ids after
 *     its {@code lifeStart}; rows of earlier lives under the same name are neither missing nor
 *     extra), and the persisted units;</li>
 * <li>only when the counts cannot be explained by purchases younger than the grace period (still on
 *     their way), or the last check found something, are both sides paged through: HSCAN pages of
 *     {@value #PAGE} purchases each looked up in PostgreSQL by id (missing), then keyset pages of
 *     PostgreSQL's ids each looked up in Redis with HMGET (extra). Memory is bounded by a page.</li>
 * </ul>
 * Missing purchases are re-driven only when the sale's outbox is empty (while it is not, they are
 * still on their way) and at most once per sale per {@link #REDRIVE_AGAIN_AFTER}: the insert is
 * idempotent, so a purchase re-driven twice lands once. What is kept per sale (gauges, a few count
 * samples, the time of the last re-drive) is dropped when the sale leaves the registry, when it is
 * done, and when another pod holds its lease.
 *
 * <p>Blocking: runs on Spring's scheduler thread (or a test's), never on an event loop; it uses its
 * own Redis connection, so that a long check never queues behind or ahead of purchases.
 */
public class PurchaseReconciler {

    private static final Logger log = LoggerFactory.getLogger(PurchaseReconciler.class);
    static final Duration REDRIVE_AGAIN_AFTER = Duration.ofMinutes(5);
    /** Purchases per HSCAN page and rows per keyset page. */
    static final int PAGE = 1_000;
    /** Count samples kept per sale (enough for a grace period of several intervals). */
    private static final int SAMPLES = 8;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_FAILURES_IN_A_ROW = 3;

    private final SaleStore store;
    private final PurchaseRepository repository;
    private final FlashsaleProperties.Reconciliation config;
    private final MeterRegistry registry;
    private final String holder;
    private final Duration leaseTtl;
    private final Map<String, SaleCheck> checks = new ConcurrentHashMap<>();
    private final Counter redrives;

    /**
     * @param store  over the reconciliation's own Redis connection
     * @param holder this pod's name in the per-sale leases, unique per instance
     */
    public PurchaseReconciler(SaleStore store, PurchaseRepository repository, FlashsaleProperties props,
                      MeterRegistry registry, String holder) {
        this.store = store;
        this.repository = repository;
        this.config = props.reconciliation();
        this.registry = registry;
        this.holder = holder;
        // the holder renews at each pass; a dead holder's sales are taken over after this
        this.leaseTtl = config.interval().multipliedBy(2).plusSeconds(10);
        this.redrives = Counter.builder("flashsale.reconciliation.redriven")
                .description("Purchases appended to the outbox again by reconciliation").register(registry);
    }

    @Scheduled(fixedDelayString = "${flashsale.reconciliation.interval:30s}",
               initialDelayString = "${flashsale.reconciliation.interval:30s}")
    void scheduled() {
        if (config.enabled()) {
            try {
                Pass pass = reconcileAll();
                log.debug("reconciliation pass: {}", pass);
            } catch (RuntimeException e) {
                log.warn("reconciliation pass failed: {}", e.toString());
            }
        }
    }

    /** What one pass did, sale by sale. */
    public record Pass(int sales, int done, int leasedElsewhere, int counted, int paged, int failed,
                       long missing, long extra, long redriven, Duration took) {}

    /** How one sale was checked. */
    public enum Result { GONE, DONE, LEASED_ELSEWHERE, COUNTED, PAGED }

    /** The outcome of one sale's check; missing and extra are measured only when {@code PAGED}. */
    public record Check(Result result, long missing, long extra, long redriven) {
        static Check of(Result result) {
            return new Check(result, 0, 0, 0);
        }
    }

    /** One pass over every sale of the registry. */
    public synchronized Pass reconcileAll() {
        Instant start = Instant.now();
        List<String> listed = store.saleIds().collectList().block(TIMEOUT);
        Set<String> sales = new HashSet<>(listed == null ? List.of() : listed);
        for (String saleId : List.copyOf(checks.keySet())) {
            if (!sales.contains(saleId)) {
                forget(saleId);
            }
        }
        int[] by = new int[Result.values().length];
        int failed = 0;
        long missing = 0;
        long extra = 0;
        long redriven = 0;
        int failedInARow = 0;
        // a new order every pass: sales that always fail cannot starve the ones after them
        List<String> order = new ArrayList<>(sales);
        Collections.shuffle(order);
        for (String saleId : order) {
            try {
                Check c = reconcile(saleId);
                by[c.result().ordinal()]++;
                missing += c.missing();
                extra += c.extra();
                redriven += c.redriven();
                failedInARow = 0;
            } catch (RuntimeException e) {
                failed++;
                log.warn("reconciliation of sale {} failed: {}", saleId, e.toString());
                if (++failedInARow == MAX_FAILURES_IN_A_ROW) {
                    // Redis or PostgreSQL is away: do not wait out a timeout per sale, the next pass tries again
                    log.warn("reconciliation pass stopped after {} failures in a row", failedInARow);
                    break;
                }
            }
        }
        return new Pass(sales.size(), by[Result.DONE.ordinal()], by[Result.LEASED_ELSEWHERE.ordinal()],
                by[Result.COUNTED.ordinal()], by[Result.PAGED.ordinal()], failed, missing, extra, redriven,
                Duration.between(start, Instant.now()));
    }

    /** Checks one sale (also when it is not in the registry). */
    public synchronized Check reconcile(String saleId) {
        SaleView view = store.view(saleId).block(TIMEOUT);
        if (view == null) {
            forget(saleId);
            return Check.of(Result.GONE);
        }
        SaleCheck known = checks.get(saleId);
        if (view.state() == SaleState.ENDED && view.persisted() == view.sold()
                && (known == null || known.clean()) && statusesPersisted(view)) {
            // nothing can be added any more and everything is persisted: nothing left to compare
            forget(saleId);
            return Check.of(Result.DONE);
        }
        if (!lease(saleId)) {
            // its holder checks and reports it
            forget(saleId);
            return Check.of(Result.LEASED_ELSEWHERE);
        }
        SaleCheck check = checks.computeIfAbsent(saleId, this::register);
        Instant now = view.serverTime();
        long inRedis = store.purchaseCount(saleId).block(TIMEOUT);
        // rows of earlier lives of the sale's name sort before its lifeStart: not this life's, not extra
        long inDb = repository.countAfter(saleId, view.lifeStart()).block(TIMEOUT);
        Sample before = check.sampleAtOrBefore(now.minus(config.grace()));
        check.record(new Sample(now, inRedis, view.sold(), view.confirmed()));
        // checkout: how many purchases Redis counts as stored with their current status (expired and
        // cancelled too), and the units PostgreSQL itself says are CONFIRMED (a status it lost, say
        // from a restored backup, shows there and nowhere else)
        boolean checkout = view.holdFor() != null;
        long current = checkout ? store.persistedPurchaseCount(saleId).block(TIMEOUT) : inRedis;
        long confirmedInDb = checkout ? repository.confirmedUnitsAfter(saleId, view.lifeStart()).block(TIMEOUT) : view.confirmed();
        boolean explained = inDb <= inRedis && check.clean() && (before == null
                // no earlier count of our own: the counts must agree now
                ? inDb == inRedis && view.persisted() == view.sold() && current == inRedis && confirmedInDb == view.confirmed()
                // everything decided a grace period ago must be in PostgreSQL and counted persisted
                : inDb >= before.purchases() && view.persisted() >= before.sold() && current >= before.purchases()
                        && confirmedInDb >= before.confirmed());
        if (explained) {
            return Check.of(Result.COUNTED);
        }
        try {
            return page(saleId, view, check);
        } catch (LostLease e) {
            forget(saleId);
            return Check.of(Result.LEASED_ELSEWHERE);
        }
    }

    private Check page(String saleId, SaleView view, SaleCheck check) {
        Instant cutoff = view.serverTime().minus(config.grace());
        Instant now = Instant.now();
        boolean mayRedrive = store.outboxLength(saleId).block(TIMEOUT) == 0
                && (check.lastRedrive == null || !check.lastRedrive.plus(REDRIVE_AGAIN_AFTER).isAfter(now));
        Instant leased = now;
        long missing = 0;
        long redriven = 0;
        SaleStore.PurchasePage page;
        String cursor = "0";
        do {
            page = store.purchasePage(saleId, cursor, PAGE).block(TIMEOUT);
            List<String> old = page.purchases().stream().filter(p -> p.purchasedAt().isBefore(cutoff))
                    .map(Purchase::purchaseId).toList();
            if (!old.isEmpty()) {
                List<String> lost = view.holdFor() == null ? absent(saleId, old) : behind(saleId, old, cutoff);
                missing += lost.size();
                if (mayRedrive && !lost.isEmpty()) {
                    redriven += store.redrive(saleId, lost).block(TIMEOUT);
                }
            }
            cursor = page.cursor();
            leased = renew(saleId, leased);
        } while (!page.finished());

        long extra = 0;
        String after = view.lifeStart();
        List<String> ids;
        do {
            ids = repository.purchaseIdsAfter(saleId, after, PAGE).collectList().block(TIMEOUT);
            if (!ids.isEmpty()) {
                extra += ids.size() - store.knownPurchaseIds(saleId, ids).block(TIMEOUT).size();
                after = ids.get(ids.size() - 1);
            }
            leased = renew(saleId, leased);
        } while (ids.size() == PAGE);

        if (store.view(saleId).block(TIMEOUT) == null) {
            // deleted meanwhile: its rows outlive its keys and are not extra
            forget(saleId);
            return Check.of(Result.GONE);
        }
        check.missing.set(missing);
        check.extra.set(extra);
        if (redriven > 0) {
            check.lastRedrive = now;
            redrives.increment(redriven);
            log.warn("sale {}: re-drove {} purchases missing in PostgreSQL", saleId, redriven);
        }
        if (extra > 0) {
            log.warn("sale {}: {} purchases in PostgreSQL are unknown to Redis", saleId, extra);
        }
        return new Check(Result.PAGED, missing, extra, redriven);
    }

    /** The purchases PostgreSQL does not hold. */
    private List<String> absent(String saleId, List<String> purchaseIds) {
        Set<String> stored = new HashSet<>(repository.existingIds(saleId, purchaseIds).collectList().block(TIMEOUT));
        return purchaseIds.stream().filter(id -> !stored.contains(id)).toList();
    }

    /**
     * Checkout: the purchases PostgreSQL does not hold, or holds with another status than Redis
     * when Redis's status is older than the grace period (a younger one is still on its way).
     */
    private List<String> behind(String saleId, List<String> purchaseIds, Instant cutoff) {
        Map<String, Hold.Status> inDb = repository.statuses(saleId, purchaseIds).block(TIMEOUT);
        Map<String, Hold> inRedis = store.holds(saleId, purchaseIds).block(TIMEOUT);
        return purchaseIds.stream().filter(id -> {
            Hold.Status stored = inDb.get(id);
            Hold hold = inRedis.get(id);
            return stored == null || hold != null && hold.status() != stored && hold.at().isBefore(cutoff);
        }).toList();
    }

    /** Checkout: no hold is open and PostgreSQL holds every purchase with its current status. */
    private boolean statusesPersisted(SaleView view) {
        return view.holdFor() == null || view.held() == 0
                && store.persistedPurchaseCount(view.id()).block(TIMEOUT).equals(store.purchaseCount(view.id()).block(TIMEOUT));
    }

    private boolean lease(String saleId) {
        return Boolean.TRUE.equals(store.reconcileLease(saleId, holder, leaseTtl).block(TIMEOUT));
    }

    /** Keeps the lease through a long check; gives up the check when another pod took the sale. */
    private Instant renew(String saleId, Instant leased) {
        Instant now = Instant.now();
        if (now.isBefore(leased.plus(leaseTtl.dividedBy(3)))) {
            return leased;
        }
        if (!lease(saleId)) {
            throw new LostLease();
        }
        return now;
    }

    /** Another pod took the sale during a long check (this pod's lease expired). */
    private static final class LostLease extends RuntimeException {
        LostLease() {
            super(null, null, false, false);
        }
    }

    private SaleCheck register(String saleId) {
        SaleCheck c = new SaleCheck();
        c.gauges = List.of(
                Gauge.builder("flashsale.reconciliation.missing", c.missing, AtomicLong::get).tag("sale", saleId)
                        .strongReference(true)
                        .description("Purchases decided in Redis but not in PostgreSQL after the grace period")
                        .register(registry),
                Gauge.builder("flashsale.reconciliation.extra", c.extra, AtomicLong::get).tag("sale", saleId)
                        .strongReference(true)
                        .description("Purchases in PostgreSQL that Redis does not know").register(registry));
        return c;
    }

    private void forget(String saleId) {
        SaleCheck c = checks.remove(saleId);
        if (c != null) {
            c.gauges.forEach(registry::remove);
        }
    }

    /** HLEN, sold and confirmed units as seen at one instant (by the Redis clock). */
    private record Sample(Instant at, long purchases, long sold, long confirmed) {}

    /** What this pod keeps about a sale it checks: constant size, whatever the sale's size. */
    private static final class SaleCheck {
        final AtomicLong missing = new AtomicLong();
        final AtomicLong extra = new AtomicLong();
        final ArrayDeque<Sample> samples = new ArrayDeque<>();
        List<Gauge> gauges = List.of();
        Instant lastRedrive;

        boolean clean() {
            return missing.get() == 0 && extra.get() == 0;
        }

        /** The newest sample taken at or before {@code cutoff}; the ones before it are dropped. */
        Sample sampleAtOrBefore(Instant cutoff) {
            Sample found = null;
            int older = -1;
            for (Sample s : samples) {
                if (s.at().isAfter(cutoff)) {
                    break;
                }
                found = s;
                older++;
            }
            for (int i = 0; i < older; i++) {
                samples.removeFirst();
            }
            return found;
        }

        void record(Sample s) {
            samples.addLast(s);
            while (samples.size() > SAMPLES) {
                samples.removeFirst();
            }
        }
    }
}
