package dev.flashsale.api.events;

import dev.flashsale.api.config.FlashsaleProperties;
import dev.flashsale.core.SaleEvent;
import dev.flashsale.core.SaleKeys;
import dev.flashsale.core.SaleStore;
import dev.flashsale.core.SaleView;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * The pod's one Redis subscription, fanned out to every browser of every sale. Per sale, stock
 * updates are coalesced (at most one per {@code flashsale.sse.coalesce}, the newest always sent)
 * and a pending stock update is flushed before a state change, so ids stay increasing on the wire.
 *
 * <p>Pub/sub is fire and forget: while the subscription is down (Redis restarted, the connection
 * dropped) events are lost, and Lettuce's resubscription brings none of them back. So every time
 * Redis confirms the subscription, the hub re-reads the views of the sales this pod serves (those
 * with open streams and those in {@link SaleMemory}), hands each stream the fresh view (it sends
 * what changed as ordinary events) and lets the memory drop what is no longer true.
 */
@Component
public class SaleEventHub implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SaleEventHub.class);

    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final SaleMemory memory;
    private final SaleStore store;
    private final Counter resyncs;
    private final long coalesceNanos;
    private final Map<String, SaleChannel> channels = new ConcurrentHashMap<>();
    /** Renewed at every start: Spring may stop and start the hub again (tests pause idle contexts). */
    private volatile Sinks.One<Boolean> closing = Sinks.one();
    private final Sinks.Many<SaleEvent> all = Sinks.many().multicast().directBestEffort();
    private volatile Disposable subscription;

    public SaleEventHub(StatefulRedisPubSubConnection<String, String> pubSub, SaleMemory memory, SaleStore store,
                        FlashsaleProperties props, MeterRegistry registry) {
        this.pubSub = pubSub;
        this.memory = memory;
        this.store = store;
        this.coalesceNanos = props.sse().coalesce().toNanos();
        this.resyncs = Counter.builder("flashsale.events.resyncs")
                .description("Times this pod re-read its sales' views after Redis confirmed its event subscription")
                .register(registry);
        // called on Lettuce's event loop each time Redis confirms SUBSCRIBE: at start and after every reconnect
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void subscribed(String channel, long count) {
                if (SaleKeys.EVENTS_CHANNEL.equals(channel)) {
                    resync();
                }
            }
        });
    }

    /**
     * What a sale's streams are told: a live {@code event}, or, after the pod (re)subscribed or the
     * sale's spec changed, the sale's {@code fresh} view, from which each stream derives what its
     * browser missed. Both null: the sale is gone.
     */
    public record Update(SaleEvent event, SaleView fresh) {
    }

    /** Updates of one sale as this pod sees them from now on (hot: nothing is replayed). */
    public Flux<Update> events(String saleId) {
        return channels.computeIfAbsent(saleId, id -> new SaleChannel()).sink.asFlux();
    }

    /** Every event of every sale as this pod receives them (hot: nothing is replayed). */
    public Flux<SaleEvent> all() {
        return all.asFlux();
    }

    /**
     * Signals when the pod begins to shut down: open streams end then, so that browsers reconnect
     * to another pod at once and graceful shutdown is not held up by connections that never end.
     */
    public Mono<Boolean> closing() {
        return closing.asMono();
    }

    /** Drops the channel of an id that turned out to be no sale. */
    public void forget(String saleId) {
        SaleChannel channel = channels.get(saleId);
        if (channel != null && channel.sink.currentSubscriberCount() == 0) {
            channels.remove(saleId, channel);
        }
    }

    void onMessage(String message) {
        SaleEvent event = SaleEvent.parse(message);
        if (event == null) {
            return;
        }
        memory.onEvent(event);
        all.tryEmitNext(event);
        SaleChannel channel = channels.get(event.saleId());
        if (channel == null) {
            return;
        }
        if (event.kind() == SaleEvent.Kind.SPEC) {
            // the event says only that the spec changed: one read of the view for all the sale's streams
            store.view(event.saleId()).map(Optional::of).defaultIfEmpty(Optional.empty())
                    .subscribe(view -> refresh(event.saleId(), view.orElse(null)),
                            e -> log.warn("could not read sale {} after its spec changed: {}", event.saleId(), e.toString()));
        } else {
            channel.accept(event);
        }
    }

    /**
     * Re-reads every sale this pod serves and corrects streams and memory. Events published after
     * the subscription was confirmed arrive as usual; the views read now include everything before.
     */
    void resync() {
        Set<String> saleIds = new HashSet<>(memory.rememberedSales());
        channels.forEach((id, channel) -> {
            if (channel.sink.currentSubscriberCount() > 0) {
                saleIds.add(id);
            }
        });
        resyncs.increment();
        if (saleIds.isEmpty()) {
            return;
        }
        log.info("subscribed to {}: re-reading {} sales for events that may have been missed", SaleKeys.EVENTS_CHANNEL,
                saleIds.size());
        Flux.fromIterable(saleIds)
                .flatMap(id -> Mono.defer(() -> store.view(id)).map(Optional::of).defaultIfEmpty(Optional.empty())
                        // the command connection may still be reconnecting (its commands fail fast meanwhile)
                        .retryWhen(Retry.backoff(10, Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(2)))
                        .doOnNext(view -> refresh(id, view.orElse(null)))
                        .onErrorResume(e -> {
                            log.warn("could not re-read sale {} after resubscribing: {}", id, e.toString());
                            return Mono.empty();
                        }), 16)
                .subscribe();
    }

    private void refresh(String saleId, SaleView fresh) {
        memory.refresh(saleId, fresh);
        SaleChannel channel = channels.get(saleId);
        if (channel != null) {
            channel.refresh(fresh);
        }
    }

    @Override
    public void start() {
        closing = Sinks.one();
        pubSub.reactive().subscribe(SaleKeys.EVENTS_CHANNEL).block(Duration.ofSeconds(10));
        subscription = pubSub.reactive().observeChannels()
                .subscribe(m -> onMessage(m.getMessage()), e -> log.error("event subscription failed", e));
    }

    @Override
    public void stop() {
        closing.tryEmitValue(true);
        if (subscription != null) {
            subscription.dispose();
        }
        channels.values().forEach(c -> c.sink.tryEmitComplete());
        channels.clear();
    }

    @Override
    public boolean isRunning() {
        return subscription != null && !subscription.isDisposed();
    }

    private final class SaleChannel {
        // best effort is safe: every subscriber buffers on its own side and so always has demand
        final Sinks.Many<Update> sink = Sinks.many().multicast().directBestEffort();
        private SaleEvent pendingStock;
        private long lastStockEmit = System.nanoTime() - coalesceNanos;
        private boolean flushScheduled;

        synchronized void accept(SaleEvent event) {
            switch (event.kind()) {
                case STOCK -> {
                    if (pendingStock == null || event.id() > pendingStock.id()) {
                        pendingStock = event;
                    }
                    long wait = lastStockEmit + coalesceNanos - System.nanoTime();
                    if (wait <= 0) {
                        flush();
                    } else if (!flushScheduled) {
                        flushScheduled = true;
                        Schedulers.parallel().schedule(this::scheduledFlush, wait, TimeUnit.NANOSECONDS);
                    }
                }
                case STATE -> {
                    flush();
                    emit(event);
                }
                case PERSISTED, SPEC -> { }
            }
        }

        /** The sale's view read after a (re)subscription, behind any stock update still pending. */
        synchronized void refresh(SaleView fresh) {
            flush();
            sink.tryEmitNext(new Update(null, fresh));
        }

        private synchronized void scheduledFlush() {
            flushScheduled = false;
            flush();
        }

        private void flush() {
            if (pendingStock != null) {
                emit(pendingStock);
                pendingStock = null;
                lastStockEmit = System.nanoTime();
            }
        }

        private void emit(SaleEvent event) {
            // serialised by the channel's lock; with no subscriber the event is simply not needed
            sink.tryEmitNext(new Update(event, null));
        }
    }
}
