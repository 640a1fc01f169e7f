package dev.flashsale.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flashsale.core.PurchaseRequest;
import dev.flashsale.core.SaleSpec;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * A browser that stops reading (its TCP window full) must cost its own stream only: it is
 * disconnected within a bound, and everybody else keeps getting every event and the heartbeats on
 * time. The stalled client is a raw socket with a tiny receive buffer that sends the request and
 * never reads; stock updates are not coalesced here, so that a burst of purchases is a burst of
 * events, and the queue per stream is larger than the burst, so that only the stall check (not a
 * full queue) can end the stalled stream.
 */
@TestPropertySource(properties = {"flashsale.sse.heartbeat=200ms", "flashsale.sse.coalesce=0ms",
        "flashsale.sse.stall-timeout=2s", "flashsale.sse.buffer-size=8192"})
class SseStalledClientIT extends ApiTestSupport {

    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {};
    private static final int NORMAL = 8;
    private static final int PURCHASES = 3_000;

    @Autowired
    MeterRegistry registry;

    private double openStreams() {
        return registry.get("flashsale.sse.connections").gauge().value();
    }

    private double dropped(String reason) {
        return registry.get("flashsale.sse.dropped").tag("reason", reason).counter().count();
    }

    @Test
    void aClientThatStopsReadingIsDroppedAndSlowsNobodyElse() throws Exception {
        SaleSpec sale = activeSale("stall", PURCHASES, 1);
        double before = openStreams();
        double stalledBefore = dropped("stalled");
        double slowBefore = dropped("slow");

        // the stalled client: asks for the stream, then never reads a byte
        Socket stalled = new Socket();
        stalled.setReceiveBufferSize(1024);
        stalled.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        OutputStream out = stalled.getOutputStream();
        out.write(("GET /api/v1/sales/" + sale.id() + "/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();

        // the others: read everything, and note when each heartbeat arrived
        WebClient client = concurrentClient(NORMAL);
        List<List<ServerSentEvent<String>>> seen = new ArrayList<>();
        List<List<Long>> beats = new ArrayList<>();
        List<Disposable> subs = new ArrayList<>();
        for (int i = 0; i < NORMAL; i++) {
            List<ServerSentEvent<String>> events = new CopyOnWriteArrayList<>();
            List<Long> times = new CopyOnWriteArrayList<>();
            seen.add(events);
            beats.add(times);
            subs.add(client.get().uri("/api/v1/sales/{id}/events", sale.id()).accept(MediaType.TEXT_EVENT_STREAM)
                    .retrieve().bodyToFlux(SSE).subscribe(e -> {
                        if (e.event() == null) {
                            times.add(System.nanoTime());
                        } else {
                            events.add(e);
                        }
                    }));
        }
        await("all streams open").atMost(Duration.ofSeconds(10)).until(() -> openStreams() >= before + NORMAL + 1
                && seen.stream().allMatch(l -> !l.isEmpty()));

        long burstStart = System.nanoTime();
        Flux.range(0, PURCHASES)
                .flatMap(i -> store.purchase(new PurchaseRequest(sale.id(), "stall-" + i, 1, null)), 64)
                .blockLast(Duration.ofSeconds(60));
        long burstEnd = System.nanoTime();

        // the stalled one is gone: the pod counts it no more...
        AtomicLong droppedAt = new AtomicLong();
        await("the stalled stream dropped").atMost(Duration.ofSeconds(20)).until(() -> {
            boolean gone = openStreams() <= before + NORMAL;
            if (gone) {
                droppedAt.compareAndSet(0, System.nanoTime());
            }
            return gone;
        });
        assertThat(dropped("stalled") - stalledBefore).as("dropped as stalled").isEqualTo(1);
        assertThat(dropped("slow") - slowBefore).as("nobody dropped as slow").isZero();
        // ...and its connection is closed: only what the kernels buffered comes, then the end of stream
        stalled.setSoTimeout(5_000);
        InputStream in = stalled.getInputStream();
        byte[] chunk = new byte[64 * 1024];
        long read = 0;
        boolean closed;
        try {
            for (int n; (n = in.read(chunk)) >= 0; ) {
                read += n;
            }
            closed = true;
        } catch (SocketTimeoutException e) {
            closed = false;
        }
        stalled.close();
        assertThat(closed).as("the server closed the stalled connection (%d bytes read before)", read).isTrue();

        // everybody else got every event, in order, up to the final state
        await("final state everywhere").atMost(Duration.ofSeconds(10)).until(() -> seen.stream()
                .allMatch(l -> l.stream().anyMatch(e -> "state-change".equals(e.event()))));
        Thread.sleep(500);
        subs.forEach(Disposable::dispose);
        for (List<ServerSentEvent<String>> events : seen) {
            List<ServerSentEvent<String>> stock = events.stream().filter(e -> "stock-update".equals(e.event())).toList();
            assertThat(stock).as("every stock update").hasSize(PURCHASES);
            assertThat(stock.get(stock.size() - 1).data()).contains("\"stock\":0");
            long previous = -1;
            for (ServerSentEvent<String> e : events) {
                long id = Long.parseLong(e.id());
                assertThat(id).isGreaterThan(previous);
                previous = id;
            }
        }
        // and their heartbeats kept coming while the stalled one was being dealt with
        long worstGapMs = 0;
        for (List<Long> times : beats) {
            List<Long> during = times.stream().filter(t -> t >= burstStart).toList();
            assertThat(during).as("heartbeats after the burst began").hasSizeGreaterThan(3);
            for (int i = 1; i < during.size(); i++) {
                worstGapMs = Math.max(worstGapMs, (during.get(i) - during.get(i - 1)) / 1_000_000);
            }
        }
        long dropMs = (droppedAt.get() - burstEnd) / 1_000_000;
        System.out.printf("SSE stall: burst of %d events took %d ms; stalled client dropped %d ms after it "
                        + "(%d bytes were in its buffers); worst heartbeat gap of the other %d: %d ms (heartbeat 200 ms)%n",
                PURCHASES, (burstEnd - burstStart) / 1_000_000, dropMs, read, NORMAL, worstGapMs);
        // ten heartbeats: a writer held up by the stalled stream would leave a gap as long as the wait for
        // the drop (seconds), while a busy 2-core machine alone has been seen to delay one by 1.2 s
        assertThat(worstGapMs).as("worst heartbeat gap").isLessThan(2_000);
        assertThat(dropMs).as("ms until the stalled client was dropped").isLessThan(10_000);
    }
}
