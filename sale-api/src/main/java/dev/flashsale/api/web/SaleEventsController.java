package dev.flashsale.api.web;

import dev.flashsale.api.config.FlashsaleProperties;
import dev.flashsale.api.events.SaleEventHub;
import dev.flashsale.core.SaleEvent;
import dev.flashsale.core.SaleView;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;
import tools.jackson.databind.json.JsonMapper;

/**
 * Server-Sent Events of one sale. The connection subscribes to the pod's event hub before it reads
 * the snapshot, so nothing published in between is lost; the snapshot goes out as {@code initial}
 * with the sale's event id at that instant, then only newer events follow. A reconnecting client
 * (Last-Event-ID) therefore gets a fresh {@code initial} and everything after it.
 */
@RestController
public class SaleEventsController {

    private final SaleController sales;
    private final SaleEventHub hub;
    private final FlashsaleProperties.Sse config;
    private final AtomicInteger connections = new AtomicInteger();
    /**
     * One heartbeat ticker for all connections of the pod, never cancelled: a timer per connection
     * would cost 10,000 scheduled tasks, and cancelling one locks the scheduler's queue on the
     * event loop that noticed the disconnect.
     */
    private final Flux<ServerSentEvent<String>> heartbeats;
    private final JsonMapper json;
    /**
     * The last event rendered: every connection of a sale gets the same event object one after the
     * other, so it is serialised once, not once per browser (10,000 JSON encodings per event).
     */
    private final AtomicReference<Rendered> lastRendered = new AtomicReference<>();

    private record Rendered(SaleEvent event, ServerSentEvent<String> sse) {
    }

    public SaleEventsController(SaleController sales, SaleEventHub hub, FlashsaleProperties props, MeterRegistry registry,
                                JsonMapper json) {
        this.sales = sales;
        this.hub = hub;
        this.json = json;
        this.config = props.sse();
        this.heartbeats = Flux.interval(config.heartbeat())
                .map(i -> ServerSentEvent.<String>builder().comment("heartbeat").build())
                .publish().autoConnect();
        Gauge.builder("flashsale.sse.connections", connections, AtomicInteger::get)
                .description("Open Server-Sent Events connections on this pod").register(registry);
    }

    @GetMapping(path = "/api/v1/sales/{saleId}/events", produces = {MediaType.TEXT_EVENT_STREAM_VALUE, MediaType.APPLICATION_JSON_VALUE})
    public Mono<ResponseEntity<Flux<ServerSentEvent<String>>>> events(@PathVariable String saleId) {
        Sinks.Many<SaleEvent> buffer = Sinks.many().unicast().onBackpressureBuffer(Queues.<SaleEvent>get(config.bufferSize()).get());
        // a browser that cannot keep up is disconnected; it reconnects and starts from a fresh snapshot
        Disposable live = hub.events(saleId).subscribe(e -> {
            if (buffer.tryEmitNext(e).isFailure()) {
                buffer.tryEmitError(new IllegalStateException("subscriber too slow"));
            }
        });
        return sales.knownSaleView(saleId)
                .map(view -> ResponseEntity.ok()
                        .contentType(MediaType.TEXT_EVENT_STREAM)
                        .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                        .header("X-Accel-Buffering", "no")
                        .body(stream(view, buffer, live)))
                .doOnError(e -> {
                    live.dispose();
                    hub.forget(saleId);
                })
                .doOnCancel(live::dispose);
    }

    private Flux<ServerSentEvent<String>> stream(SaleView view, Sinks.Many<SaleEvent> buffer, Disposable live) {
        ServerSentEvent<String> initial = ServerSentEvent.builder(json.writeValueAsString(Json.Sale.of(view)))
                .event("initial").id(Long.toString(view.eventId())).retry(config.retry()).build();
        Flux<ServerSentEvent<String>> updates = buffer.asFlux()
                .filter(e -> e.id() > view.eventId())
                .map(this::render);
        return Flux.concat(Mono.just(initial), updates).mergeWith(heartbeats)
                .takeUntilOther(hub.closing())
                .doOnSubscribe(s -> connections.incrementAndGet())
                .doFinally(s -> {
                    connections.decrementAndGet();
                    live.dispose();
                });
    }

    private ServerSentEvent<String> render(SaleEvent e) {
        Rendered last = lastRendered.get();
        if (last != null && last.event() == e) {
            return last.sse();
        }
        ServerSentEvent<String> sse = toSse(e);
        lastRendered.set(new Rendered(e, sse));
        return sse;
    }

    private ServerSentEvent<String> toSse(SaleEvent e) {
        String id = Long.toString(e.id());
        return switch (e.kind()) {
            case STOCK -> ServerSentEvent.builder(json.writeValueAsString(new Json.StockUpdate(e.saleId(), e.stock(), e.sold())))
                    .event("stock-update").id(id).build();
            case STATE -> ServerSentEvent.builder(json.writeValueAsString(new Json.StateChange(e.saleId(), e.state().name(),
                    e.endReason() == null ? null : e.endReason().name()))).event("state-change").id(id).build();
            case PERSISTED -> throw new IllegalStateException("persisted events are not sent to browsers");
        };
    }
}
