package dev.flashsale.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flashsale.core.SaleSpec;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;

/**
 * Behind trusted proxies (here: this machine, 127.0.0.0/8, and 10.0.0.0/8), the client address is
 * the right-most X-Forwarded-For entry that is not a trusted proxy, for the per-address purchase
 * limit and the per-address cap on event streams alike.
 */
@TestPropertySource(properties = {
        "flashsale.trusted-proxies=127.0.0.0/8,10.0.0.0/8",
        "flashsale.rate-limit.per-ip.enabled=true", "flashsale.rate-limit.per-ip.capacity=2",
        "flashsale.rate-limit.per-ip.refill-per-second=1",
        "flashsale.sse.max-per-client=3", "flashsale.sse.max-per-pod=5"})
class ForwardedClientIT extends ApiTestSupport {

    static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {};

    @Autowired
    MeterRegistry registry;

    private int buyAs(String saleId, String user, String forwardedFor) {
        return http.post().uri("/api/v1/sales/{id}/purchases", saleId).header("X-User-Id", user)
                .header("X-Forwarded-For", forwardedFor).exchange().returnResult(String.class).getStatus().value();
    }

    @Test
    void whatAClientWritesLeftOfTheProxysEntryIsIgnored() {
        SaleSpec sale = activeSale("xff-spoof", 100, 1);
        // the proxy appended the real address (203.0.113.10); the rest is the shopper's invention
        assertThat(buyAs(sale.id(), "s1", "1.1.1.1, 203.0.113.10")).isEqualTo(201);
        assertThat(buyAs(sale.id(), "s2", "2.2.2.2, 203.0.113.10")).isEqualTo(201);
        assertThat(buyAs(sale.id(), "s3", "3.3.3.3, 203.0.113.10")).isEqualTo(429);
        // another address has its own bucket
        assertThat(buyAs(sale.id(), "s4", "1.1.1.1, 203.0.113.11")).isEqualTo(201);
    }

    @Test
    void theRightMostEntryThatIsNoTrustedProxyIsTheClient() {
        SaleSpec sale = activeSale("xff-chain", 100, 1);
        assertThat(buyAs(sale.id(), "c1", "203.0.113.20, 10.0.0.7")).isEqualTo(201);
        assertThat(buyAs(sale.id(), "c2", "203.0.113.20, 10.200.0.1, 10.0.0.8")).isEqualTo(201);
        assertThat(buyAs(sale.id(), "c3", "203.0.113.20")).isEqualTo(429);
        // the header is believed: distinct clients are distinct buckets
        for (int i = 0; i < 5; i++) {
            assertThat(buyAs(sale.id(), "d" + i, "198.51.100." + i)).isEqualTo(201);
        }
    }

    @Test
    void ipv6ClientsAreOneBucketHoweverTheirAddressIsWritten() {
        SaleSpec sale = activeSale("xff-v6", 100, 1);
        assertThat(buyAs(sale.id(), "v1", "2001:db8::5")).isEqualTo(201);
        assertThat(buyAs(sale.id(), "v2", "[2001:db8:0:0::5]:443")).isEqualTo(201);
        assertThat(buyAs(sale.id(), "v3", "2001:DB8::0:5")).isEqualTo(429);
        assertThat(buyAs(sale.id(), "v4", "2001:db8::6")).isEqualTo(201);
    }

    @Test
    void eventStreamsAreCappedPerClientWith429AndPerPodWith503() throws Exception {
        SaleSpec sale = activeSale("sse-caps", 10, 1);
        double connections = registry.get("flashsale.sse.connections").gauge().value();
        double clients = registry.get("flashsale.sse.clients").gauge().value();
        WebClient client = concurrentClient(8);
        List<Disposable> open = new ArrayList<>();
        List<String> initials = new CopyOnWriteArrayList<>();
        for (String address : List.of("192.0.2.1", "192.0.2.1", "192.0.2.1", "192.0.2.2", "192.0.2.2")) {
            open.add(client.get().uri("/api/v1/sales/{id}/events", sale.id()).header("X-Forwarded-For", address)
                    .accept(MediaType.TEXT_EVENT_STREAM).retrieve().bodyToFlux(SSE)
                    .subscribe(e -> {
                        if ("initial".equals(e.event())) {
                            initials.add(address);
                        }
                    }));
        }
        await("5 streams open").atMost(Duration.ofSeconds(10)).until(() -> initials.size() == 5);
        assertThat(registry.get("flashsale.sse.clients").gauge().value()).isEqualTo(clients + 2);

        // a fourth stream of the same address: 429 in the envelope, with Retry-After
        http.get().uri("/api/v1/sales/{id}/events", sale.id()).header("X-Forwarded-For", "192.0.2.1")
                .accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isEqualTo(429)
                .expectHeader().exists("Retry-After")
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody().jsonPath("$.success").isEqualTo(false)
                .jsonPath("$.error.code").isEqualTo("RATE_LIMITED")
                .jsonPath("$.error.retryAfter").isNumber();
        // the pod is full: anyone else gets 503, with Retry-After
        http.get().uri("/api/v1/sales/{id}/events", sale.id()).header("X-Forwarded-For", "192.0.2.3")
                .accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isEqualTo(503)
                .expectHeader().exists("Retry-After")
                .expectBody().jsonPath("$.error.code").isEqualTo("SERVICE_UNAVAILABLE")
                .jsonPath("$.error.retryAfter").isNumber();

        // a stream that closes frees its slot, and no client's entry outlives its last stream
        open.remove(0).dispose();
        await("a slot freed").atMost(Duration.ofSeconds(5)).until(() -> registry.get("flashsale.sse.connections").gauge().value() == connections + 4);
        http.get().uri("/api/v1/sales/{id}/events", sale.id()).header("X-Forwarded-For", "192.0.2.3")
                .accept(MediaType.TEXT_EVENT_STREAM).exchange().expectStatus().isOk()
                .returnResult(String.class).getResponseBody().take(1).blockLast(Duration.ofSeconds(10));
        open.forEach(Disposable::dispose);
        await("every stream closed").atMost(Duration.ofSeconds(5)).until(() -> registry.get("flashsale.sse.connections").gauge().value() == connections);
        assertThat(registry.get("flashsale.sse.clients").gauge().value()).as("client addresses tracked").isEqualTo(clients);
    }
}
