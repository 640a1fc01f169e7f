package dev.flashsale.api.web;

import dev.flashsale.api.events.SaleEventHub.Update;
import dev.flashsale.core.EndReason;
import dev.flashsale.core.SaleEvent;
import dev.flashsale.core.SaleState;
import dev.flashsale.core.SaleView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;

/**
 * One browser's event stream. Everything it is sent goes through one bounded queue that only this
 * stream drains, so a browser that stops reading holds up nothing but itself: the hub's fan-out
 * and the pod's heartbeat ticker only ever offer to the queue, never wait on it.
 *
 * <p>The stream remembers what its browser was told (the event id, the last stock and state, and
 * the sale's spec), drops events it has already covered, and turns a fresh view handed over after a
 * resubscription or a spec change into what the browser missed: stock-update and state-change, or
 * one sale-update (the whole view) when the spec changed.
 *
 * <p>It ends itself ({@link #drop}) when the browser falls {@code capacity} items behind, or when
 * items have waited for {@code stallNanos} without the browser taking any (its socket buffers are
 * full: it stopped reading). Dropped browsers reconnect and start from a fresh snapshot.
 */
final class EventStream {

    static final ServerSentEvent<String> HEARTBEAT = ServerSentEvent.<String>builder().comment("heartbeat").build();

    enum Drop { SLOW, STALLED, GONE }

    private final String saleId;
    private final int capacity;
    private final long stallNanos;
    private final Function<SaleEvent, ServerSentEvent<String>> render;
    private final Function<SaleView, ServerSentEvent<String>> renderView;
    private final Consumer<Drop> onDrop;
    private final Sinks.Many<ServerSentEvent<String>> out;
    private final AtomicLong taken = new AtomicLong();

    // guarded by this
    private List<Update> early = new ArrayList<>();
    private boolean done;
    private long offered;
    private long lastId;
    private long stock;
    private long sold;
    private long held;
    private SaleState state;
    private EndReason endReason;
    private Spec spec;
    private long takenAtTick = -1;
    private long progressAt;

    /** What shoppers see of a sale besides stock and state; a change is sent as a sale-update. */
    private record Spec(String productName, long initialStock, int perUserLimit, Object startTime, Object endTime) {
        static Spec of(SaleView v) {
            return new Spec(v.productName(), v.initialStock(), v.perUserLimit(), v.startTime(), v.endTime());
        }
    }

    EventStream(String saleId, int capacity, long stallNanos, Function<SaleEvent, ServerSentEvent<String>> render,
                Function<SaleView, ServerSentEvent<String>> renderView, Consumer<Drop> onDrop) {
        this.saleId = saleId;
        this.capacity = capacity;
        this.stallNanos = stallNanos;
        this.render = render;
        this.renderView = renderView;
        this.onDrop = onDrop;
        this.out = Sinks.many().unicast().onBackpressureBuffer(Queues.<ServerSentEvent<String>>get(capacity).get());
    }

    /** What the browser receives, once; completes when the stream is dropped. */
    Flux<ServerSentEvent<String>> flux() {
        return out.asFlux().doOnNext(e -> taken.incrementAndGet());
    }

    /** The snapshot has been read: {@code initial} goes first, then whatever arrived meanwhile. */
    synchronized void start(SaleView view, ServerSentEvent<String> initial) {
        if (done) {
            return;
        }
        toldView(view);
        push(initial);
        List<Update> waiting = early;
        early = null;
        for (Update u : waiting) {
            if (!done) {
                deliver(u);
            }
        }
    }

    /** From the hub, on whichever thread it runs. */
    synchronized void onUpdate(Update update) {
        if (done) {
            return;
        }
        if (early != null) {
            if (early.size() >= capacity) {
                drop(Drop.SLOW);
            } else {
                early.add(update);
            }
            return;
        }
        deliver(update);
    }

    /**
     * From the pod's ticker, every heartbeat period: ends the stream if items have waited a whole
     * {@code stallNanos} with none taken, else queues a heartbeat.
     */
    synchronized void tick(long now) {
        if (done || early != null) {
            return;
        }
        long t = taken.get();
        if (t != takenAtTick || t == offered) {
            takenAtTick = t;
            progressAt = now;
        } else if (now - progressAt >= stallNanos) {
            drop(Drop.STALLED);
            return;
        }
        push(HEARTBEAT);
    }

    /** Ends the stream for good (idempotent); the browser's end sees a normal end of stream. */
    synchronized void drop(Drop reason) {
        if (done) {
            return;
        }
        done = true;
        early = null;
        out.tryEmitComplete();
        onDrop.accept(reason);
    }

    /** Ends the stream without telling anyone (the connection ended on its own). */
    synchronized void close() {
        done = true;
        early = null;
    }

    private void deliver(Update u) {
        SaleEvent e = u.event();
        if (e != null) {
            if (e.id() > lastId) {
                told(e);
                push(render.apply(e));
            }
        } else if (u.fresh() == null) {
            // the sale is gone: the browser reconnects and learns so
            drop(Drop.GONE);
        } else {
            catchUp(u.fresh());
        }
    }

    /** Tells the browser what the fresh view says and it was not told yet, with ids above its last. */
    private void catchUp(SaleView v) {
        if (v.eventId() <= lastId) {
            return;
        }
        if (!Spec.of(v).equals(spec)) {
            // the whole view in one event: it covers stock and state as well
            toldView(v);
            push(renderView.apply(v));
            return;
        }
        boolean stockDiffers = v.stock() != stock || v.sold() != sold || v.held() != held;
        boolean stateDiffers = v.state() != state || v.endReason() != endReason;
        SaleEvent stockUpdate = null;
        SaleEvent stateChange = null;
        if (stockDiffers && stateDiffers) {
            if (v.eventId() - 1 <= lastId) {
                // two changes, one id: no pair of increasing ids tells both, a fresh snapshot does
                drop(Drop.GONE);
                return;
            }
            stockUpdate = stockEvent(v, v.eventId() - 1);
            stateChange = stateEvent(v, v.eventId());
        } else if (stockDiffers) {
            stockUpdate = stockEvent(v, v.eventId());
        } else if (stateDiffers) {
            stateChange = stateEvent(v, v.eventId());
        }
        for (SaleEvent e : new SaleEvent[] {stockUpdate, stateChange}) {
            if (e != null && !done) {
                told(e);
                push(render.apply(e));
            }
        }
        lastId = Math.max(lastId, v.eventId());
    }

    private void toldView(SaleView v) {
        lastId = v.eventId();
        stock = v.stock();
        sold = v.sold();
        held = v.held();
        state = v.state();
        endReason = v.endReason();
        spec = Spec.of(v);
    }

    private SaleEvent stockEvent(SaleView v, long id) {
        return new SaleEvent(saleId, id, SaleEvent.Kind.STOCK, Long.toString(v.stock()), Long.toString(v.sold()), v.held());
    }

    private SaleEvent stateEvent(SaleView v, long id) {
        return new SaleEvent(saleId, id, SaleEvent.Kind.STATE, v.state().name(),
                v.endReason() == null ? "" : v.endReason().name());
    }

    private void told(SaleEvent e) {
        lastId = e.id();
        switch (e.kind()) {
            case STOCK -> {
                stock = e.stock();
                sold = e.sold();
                held = e.held();
            }
            case STATE -> {
                state = e.state();
                endReason = e.endReason();
            }
            case PERSISTED, SPEC -> { }
        }
    }

    private void push(ServerSentEvent<String> sse) {
        offered++;
        if (out.tryEmitNext(sse).isFailure()) {
            drop(Drop.SLOW);
        }
    }
}
