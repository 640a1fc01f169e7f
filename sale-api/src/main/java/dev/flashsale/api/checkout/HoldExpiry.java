package dev.flashsale.api.checkout;

import dev.flashsale.api.config.FlashsaleProperties;
import dev.flashsale.api.events.SaleEventHub;
import dev.flashsale.core.Hold;
import dev.flashsale.core.SaleEvent;
import dev.flashsale.core.SaleStore;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Expires unpaid holds at their expiresAt. Every pod does it, every {@code expiry-interval}, for the
 * sales it knows to have open holds; expire.lua releases each due hold once, whichever pod gets
 * there first, and reads only the due part of the sale's expiry index. Nothing of it lives in the
 * pod: a pod killed at any point leaves the holds in Redis for the others (or for itself after a
 * restart).
 *
 * <p>Which sales to visit: those a STOCK event showed with open holds, and, every
 * {@link #SWEEP} (a second, on a loop of its own, so that a registry of many sales never holds up the
 * sales with holds), every sale of the registry (events are lost while the subscription is down,
 * and holds taken before this pod started raised none it saw). Sales are visited
 * {@value #PARALLEL} at a time: one slow answer (Redis busy with a herd) delays no other sale. A sale leaves
 * the set when a call finds no open hold and no event came meanwhile, so the set is bounded by the
 * sales with open holds.
 */
@Component
public class HoldExpiry implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(HoldExpiry.class);
    static final Duration SWEEP = Duration.ofSeconds(1);
    static final int PARALLEL = 16;

    private final SaleStore store;
    private final SaleEventHub hub;
    private final HoldMetrics metrics;
    private final Duration interval;
    private final int batch;
    /** Sale id to the number of the last event that showed it with holds (see {@link #expire}). */
    private final Map<String, Long> withHolds = new ConcurrentHashMap<>();
    private final AtomicLong seen = new AtomicLong();
    private volatile Disposable ticks;
    private volatile Disposable sweeps;
    private volatile Disposable events;
    private Scheduler scheduler;

    public HoldExpiry(SaleStore store, SaleEventHub hub, HoldMetrics metrics, FlashsaleProperties props) {
        this.store = store;
        this.hub = hub;
        this.metrics = metrics;
        this.interval = props.checkout().expiryInterval();
        this.batch = props.checkout().expiryBatch();
    }

    /** The sales this pod visits at each tick now (for tests of the bound). */
    public Set<String> salesWithHolds() {
        return Set.copyOf(withHolds.keySet());
    }

    @Override
    public void start() {
        scheduler = Schedulers.newSingle("hold-expiry");
        events = hub.all().filter(e -> e.kind() == SaleEvent.Kind.STOCK && e.held() > 0)
                .subscribe(e -> withHolds.put(e.saleId(), seen.incrementAndGet()));
        ticks = loop(interval, () -> Flux.fromIterable(withHolds.keySet()));
        sweeps = loop(SWEEP, store::saleIds);
    }

    /** Every {@code period}, the due holds of {@code sales}; a round still running when the next is due skips it. */
    private Disposable loop(Duration period, Supplier<Flux<String>> sales) {
        return Flux.interval(Duration.ZERO, period, scheduler)
                .onBackpressureDrop()
                .concatMap(tick -> round(sales.get()), 1)
                .subscribe();
    }

    private Mono<Void> round(Flux<String> sales) {
        return sales.flatMap(this::expire, PARALLEL)
                .onErrorResume(e -> {
                    // Redis away: the holds wait in Redis, the next tick tries again
                    log.debug("hold expiry tick failed: {}", e.toString());
                    return Mono.empty();
                })
                .then();
    }

    /**
     * Releases the sale's due holds, batch after batch while more are due. A hold taken while the
     * call runs may be missed by it and announced before its answer arrives: the sale is forgotten
     * only if no event came since the call began.
     */
    private Mono<Void> expire(String saleId) {
        Long before = withHolds.get(saleId);
        return store.expire(saleId, batch)
                .expand(r -> r.expired() >= batch ? store.expire(saleId, batch) : Mono.empty())
                .doOnNext(r -> {
                    if (r.expired() > 0) {
                        metrics.count(Hold.Status.EXPIRED, r.expired());
                    }
                    if (r.nextExpiresAt() != null) {
                        withHolds.putIfAbsent(saleId, 0L);
                    } else if (before != null) {
                        withHolds.remove(saleId, before);
                    }
                })
                .then();
    }

    @Override
    public void stop() {
        for (Disposable d : new Disposable[] {ticks, sweeps, events}) {
            if (d != null) {
                d.dispose();
            }
        }
        if (scheduler != null) {
            scheduler.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        return ticks != null && !ticks.isDisposed();
    }
}
