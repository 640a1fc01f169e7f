package dev.flashsale.api.web;

import dev.flashsale.api.config.FlashsaleProperties;
import dev.flashsale.api.events.SaleEventHub;
import dev.flashsale.core.SaleEvent;
import dev.flashsale.core.SaleView;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import tools.jackson.databind.json.JsonMapper;

/**
 * Server-Sent Events of one sale. The connection subscribes to the pod's event hub before it reads
 * the snapshot, so nothing published in between is lost; the snapshot goes out as {@code initial}
 * with the sale's event id at that instant, then only newer events follow. A reconnecting client
 * (Last-Event-ID) therefore gets a fresh {@code initial} and everything after it.
 *
 * <p>Streams are admitted up to {@code flashsale.sse.max-per-client} per client address (429
 * beyond) and {@code max-per-pod} in all (503 beyond). Each stream has its own bounded queue
 * ({@link EventStream}); a browser that stops reading is disconnected without holding up the
 * others.
 */
@RestController
public class SaleEventsController implements DisposableBean {

    private final SaleController sales;
    private final SaleEventHub hub;
    private final ClientAddress clientAddress;
    private final FlashsaleProperties.Sse config;
    private final StreamLimits limits;
    private final Set<EventStream> streams = ConcurrentHashMap.newKeySet();
    private final Map<EventStream.Drop, Counter> dropped = new EnumMap<>(EventStream.Drop.class);
    /**
     * One ticker for all streams of the pod, never cancelled while the pod runs: a timer per
     * connection would cost 10,000 scheduled tasks, and cancelling one locks the scheduler's queue
     * on the event loop that noticed the disconnect. Each tick offers every stream a heartbeat,
     * which a stream without room skips: no stream can hold the ticker up.
     */
    private final Disposable ticker;
    private final JsonMapper json;
    /**
     * The last event rendered: every connection of a sale gets the same event one after the
     * other, so it is serialised once, not once per browser (10,000 JSON encodings per event).
     */
    private final AtomicReference<Rendered> lastRendered = new AtomicReference<>();

    private record Rendered(SaleEvent event, ServerSentEvent<String> sse) {
    }

    private final AtomicReference<RenderedView> lastView = new AtomicReference<>();

    private record RenderedView(SaleView view, ServerSentEvent<String> sse) {
    }

    public SaleEventsController(SaleController sales, SaleEventHub hub, ClientAddress clientAddress,
                                FlashsaleProperties props, MeterRegistry registry, JsonMapper json) {
        this.sales = sales;
        this.hub = hub;
        this.clientAddress = clientAddress;
        this.json = json;
        this.config = props.sse();
        this.limits = new StreamLimits(config.maxPerClient(), config.maxPerPod());
        Gauge.builder("flashsale.sse.connections", limits, StreamLimits::open)
                .description("Open Server-Sent Events connections on this pod").register(registry);
        Gauge.builder("flashsale.sse.clients", limits, StreamLimits::clients)
                .description("Client addresses with at least one open event stream on this pod").register(registry);
        for (EventStream.Drop reason : EventStream.Drop.values()) {
            dropped.put(reason, Counter.builder("flashsale.sse.dropped").tag("reason", reason.name().toLowerCase())
                    .description("Event streams this pod ended: slow (fell behind), stalled (stopped reading), gone (sale deleted or re-read)")
                    .register(registry));
        }
        this.ticker = Flux.interval(config.heartbeat()).subscribe(i -> tick());
    }

    private void tick() {
        long now = System.nanoTime();
        for (EventStream stream : streams) {
            try {
                stream.tick(now);
            } catch (RuntimeException e) {
                // one broken stream must not stop the heartbeats of all others
                stream.drop(EventStream.Drop.SLOW);
            }
        }
    }

    @GetMapping(path = "/api/v1/sales/{saleId}/events", produces = {MediaType.TEXT_EVENT_STREAM_VALUE, MediaType.APPLICATION_JSON_VALUE})
    public Mono<ResponseEntity<Flux<ServerSentEvent<String>>>> events(@PathVariable String saleId, ServerHttpRequest request) {
        StreamLimits.Slot slot;
        try {
            slot = limits.admit(clientAddress.of(request));
        } catch (ApiError refused) {
            return Mono.error(refused);
        }
        Channel channel = channelOf(request);
        if (channel != null && config.sendBuffer().toBytes() > 0) {
            // a few KB of events need no more; a client that stops reading fills it soon and shows as stalled
            channel.config().setOption(ChannelOption.SO_SNDBUF, (int) config.sendBuffer().toBytes());
        }
        AtomicBoolean ended = new AtomicBoolean();
        Disposable[] live = new Disposable[1];
        EventStream[] holder = new EventStream[1];
        ChannelFutureListener[] onClose = new ChannelFutureListener[1];
        Runnable end = () -> {
            if (ended.compareAndSet(false, true)) {
                holder[0].close();
                streams.remove(holder[0]);
                if (live[0] != null) {
                    live[0].dispose();
                }
                if (channel != null && onClose[0] != null) {
                    channel.closeFuture().removeListener(onClose[0]);
                }
                slot.release();
            }
        };
        EventStream stream = new EventStream(saleId, config.bufferSize(), config.stallTimeout().toNanos(), this::render,
                this::saleUpdate, reason -> {
                    dropped.get(reason).increment();
                    if (reason != EventStream.Drop.GONE) {
                        end.run();
                        if (channel != null) {
                            // a stalled socket would never flush a graceful end: discard what waits
                            channel.close();
                        }
                    }
                });
        holder[0] = stream;
        if (channel != null) {
            // whatever else happens, a closed connection frees its slot
            onClose[0] = f -> end.run();
            channel.closeFuture().addListener(onClose[0]);
        }
        // a browser that cannot keep up is disconnected; it reconnects and starts from a fresh snapshot
        live[0] = hub.events(saleId).subscribe(stream::onUpdate);
        return sales.knownSaleView(saleId)
                .map(view -> {
                    stream.start(view, initial(view));
                    if (!ended.get()) {
                        streams.add(stream);
                    }
                    return ResponseEntity.ok()
                            .contentType(MediaType.TEXT_EVENT_STREAM)
                            .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                            .header("X-Accel-Buffering", "no")
                            .body(stream.flux().takeUntilOther(hub.closing()).doFinally(s -> end.run()));
                })
                .doOnError(e -> {
                    end.run();
                    hub.forget(saleId);
                })
                .doOnCancel(end);
    }

    private static Channel channelOf(ServerHttpRequest request) {
        Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
        return nativeRequest instanceof Connection connection ? connection.channel() : null;
    }

    private ServerSentEvent<String> initial(SaleView view) {
        return ServerSentEvent.builder(json.writeValueAsString(Json.Sale.of(view)))
                .event("initial").id(Long.toString(view.eventId())).retry(config.retry()).build();
    }

    /** The whole view after a spec change: rendered once for all of the sale's streams (they get the same view). */
    private ServerSentEvent<String> saleUpdate(SaleView view) {
        RenderedView last = lastView.get();
        if (last != null && last.view() == view) {
            return last.sse();
        }
        ServerSentEvent<String> sse = ServerSentEvent.builder(json.writeValueAsString(Json.Sale.of(view)))
                .event("sale-update").id(Long.toString(view.eventId())).build();
        lastView.set(new RenderedView(view, sse));
        return sse;
    }

    private ServerSentEvent<String> render(SaleEvent e) {
        Rendered last = lastRendered.get();
        if (last != null && (last.event() == e || last.event().equals(e))) {
            return last.sse();
        }
        ServerSentEvent<String> sse = toSse(e);
        lastRendered.set(new Rendered(e, sse));
        return sse;
    }

    private ServerSentEvent<String> toSse(SaleEvent e) {
        String id = Long.toString(e.id());
        return switch (e.kind()) {
            case STOCK -> ServerSentEvent.builder(json.writeValueAsString(Json.StockUpdate.of(e)))
                    .event("stock-update").id(id).build();
            case STATE -> ServerSentEvent.builder(json.writeValueAsString(new Json.StateChange(e.saleId(), e.state().name(),
                    e.endReason() == null ? null : e.endReason().name()))).event("state-change").id(id).build();
            case PERSISTED, SPEC -> throw new IllegalStateException(e.kind() + " events are not sent to browsers as such");
        };
    }

    @Override
    public void destroy() {
        ticker.dispose();
    }
}
