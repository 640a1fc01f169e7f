package dev.flashsale.api.persistence;

import dev.flashsale.api.config.FlashsaleProperties;
import dev.flashsale.core.Purchase;
import dev.flashsale.core.SaleKeys;
import dev.flashsale.core.SaleStore;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Compares each sale's purchases in Redis with PostgreSQL: {@code missing} (decided, older than the
 * grace period, not in the database) and {@code extra} (in the database, unknown to Redis). Missing
 * purchases are appended to the outbox again, but only once the sale's outbox is empty (while it is
 * not, they are still on their way) and at most once per purchase per {@link #REDRIVE_AGAIN_AFTER}.
 * Safe on every pod at once: the insert is idempotent, so a purchase re-driven twice lands once.
 */
@Component
public class Reconciler {

    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
    static final Duration REDRIVE_AGAIN_AFTER = Duration.ofMinutes(5);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final SaleStore store;
    private final PurchaseRepository repository;
    private final StatefulRedisConnection<String, String> redis;
    private final FlashsaleProperties.Reconciliation config;
    private final MeterRegistry registry;
    private final Map<String, AtomicLong[]> counts = new ConcurrentHashMap<>();
    private final Map<String, Instant> redriven = new ConcurrentHashMap<>();
    private final Counter redrives;

    public Reconciler(SaleStore store, PurchaseRepository repository, StatefulRedisConnection<String, String> redis,
                      FlashsaleProperties props, MeterRegistry registry) {
        this.store = store;
        this.repository = repository;
        this.redis = redis;
        this.config = props.reconciliation();
        this.registry = registry;
        this.redrives = Counter.builder("flashsale.reconciliation.redriven")
                .description("Purchases appended to the outbox again by reconciliation").register(registry);
    }

    @Scheduled(fixedDelayString = "${flashsale.reconciliation.interval:30s}",
               initialDelayString = "${flashsale.reconciliation.interval:30s}")
    void scheduled() {
        if (config.enabled()) {
            try {
                reconcileAll();
            } catch (RuntimeException e) {
                log.warn("reconciliation pass failed: {}", e.toString());
            }
        }
    }

    /** One pass over every sale; returns the purchases re-driven. */
    public long reconcileAll() {
        long total = 0;
        List<String> sales = store.saleIds().collectList().block(TIMEOUT);
        for (String saleId : sales == null ? List.<String>of() : sales) {
            total += reconcile(saleId);
        }
        return total;
    }

    long reconcile(String saleId) {
        Map<String, Purchase> inRedis = store.purchases(saleId).collectMap(Purchase::purchaseId).block(TIMEOUT);
        Set<String> inDb = repository.purchaseIds(saleId).collect(Collectors.toSet()).block(TIMEOUT);
        Instant cutoff = Instant.now().minus(config.grace());
        List<String> missing = inRedis.values().stream()
                .filter(p -> !inDb.contains(p.purchaseId()) && p.purchasedAt().isBefore(cutoff))
                .map(Purchase::purchaseId).sorted().toList();
        long extra = inDb.stream().filter(id -> !inRedis.containsKey(id)).count();
        AtomicLong[] c = counts.computeIfAbsent(saleId, this::registerGauges);
        c[0].set(missing.size());
        c[1].set(extra);
        if (missing.isEmpty() || redis.sync().xlen(SaleKeys.of(saleId).outbox()) > 0) {
            return 0;
        }
        Instant now = Instant.now();
        List<String> due = missing.stream()
                .filter(id -> {
                    Instant last = redriven.get(saleId + "/" + id);
                    return last == null || last.plus(REDRIVE_AGAIN_AFTER).isBefore(now);
                }).toList();
        if (due.isEmpty()) {
            return 0;
        }
        Long n = store.redrive(saleId, due).block(TIMEOUT);
        due.forEach(id -> redriven.put(saleId + "/" + id, now));
        redrives.increment(n == null ? 0 : n);
        log.warn("sale {}: re-drove {} purchases missing in PostgreSQL", saleId, n);
        return n == null ? 0 : n;
    }

    private AtomicLong[] registerGauges(String saleId) {
        AtomicLong missing = new AtomicLong();
        AtomicLong extra = new AtomicLong();
        Gauge.builder("flashsale.reconciliation.missing", missing, AtomicLong::get).tag("sale", saleId)
                .description("Purchases decided in Redis but not in PostgreSQL after the grace period").register(registry);
        Gauge.builder("flashsale.reconciliation.extra", extra, AtomicLong::get).tag("sale", saleId)
                .description("Purchases in PostgreSQL that Redis does not know").register(registry);
        return new AtomicLong[] {missing, extra};
    }
}
