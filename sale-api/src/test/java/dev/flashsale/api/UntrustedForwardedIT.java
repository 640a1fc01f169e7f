package dev.flashsale.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flashsale.core.SaleSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;

/**
 * No trusted proxies (the default): forwarding headers are never believed, so a shopper cannot
 * dodge the per-address limits by writing another address into X-Forwarded-For or Forwarded.
 */
@TestPropertySource(properties = {
        "flashsale.rate-limit.per-ip.enabled=true", "flashsale.rate-limit.per-ip.capacity=2",
        "flashsale.rate-limit.per-ip.refill-per-second=1",
        "flashsale.sse.max-per-client=2"})
class UntrustedForwardedIT extends ApiTestSupport {

    @Test
    void aSpoofedForwardingHeaderDoesNotEscapeThePerAddressLimit() {
        SaleSpec sale = activeSale("spoof", 100, 1);
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            statuses.add(http.post().uri("/api/v1/sales/{id}/purchases", sale.id()).header("X-User-Id", "spoofer-" + i)
                    .header("X-Forwarded-For", "198.51.100." + i).header("Forwarded", "for=198.51.100." + i)
                    .exchange().returnResult(String.class).getStatus().value());
        }
        // the real address (127.0.0.1) has a bucket of 2
        assertThat(statuses).containsExactly(201, 201, 429, 429);
    }

    @Test
    void norTheCapOnEventStreams() throws Exception {
        SaleSpec sale = activeSale("spoof-sse", 10, 1);
        WebClient client = concurrentClient(4);
        AtomicInteger initials = new AtomicInteger();
        List<Disposable> open = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            open.add(client.get().uri("/api/v1/sales/{id}/events", sale.id()).header("X-Forwarded-For", "198.51.100." + i)
                    .accept(MediaType.TEXT_EVENT_STREAM).retrieve().bodyToFlux(String.class)
                    .subscribe(e -> initials.incrementAndGet()));
        }
        await("2 streams open").atMost(Duration.ofSeconds(10)).until(() -> initials.get() >= 2);
        http.get().uri("/api/v1/sales/{id}/events", sale.id()).header("X-Forwarded-For", "198.51.100.9")
                .accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isEqualTo(429)
                .expectBody().jsonPath("$.error.code").isEqualTo("RATE_LIMITED");
        open.forEach(Disposable::dispose);
    }
}
