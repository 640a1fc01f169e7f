package dev.flashsale.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.api.web.PurchaseGuard;
import dev.flashsale.core.SaleSpec;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;

/** Rate limiting per user and per IP (429 + Retry-After) and load shedding (503 at once). */
@TestPropertySource(properties = {
        "flashsale.rate-limit.per-user.enabled=true", "flashsale.rate-limit.per-user.capacity=3",
        "flashsale.rate-limit.per-user.refill-per-second=1",
        "flashsale.rate-limit.per-ip.enabled=true", "flashsale.rate-limit.per-ip.capacity=100000",
        "flashsale.rate-limit.per-ip.refill-per-second=100000",
        "flashsale.shedding.max-in-flight=4"})
class GuardIT extends ApiTestSupport {

    @Autowired
    PurchaseGuard guard;

    @Test
    void aUserWhoHammersIsRateLimitedWithRetryAfter() {
        SaleSpec sale = activeSale("rl", 100, 1);
        for (int i = 0; i < 3; i++) {
            buy(sale.id(), "hammer").expectStatus().value(s -> assertThat(s).isIn(201, 409));
        }
        buy(sale.id(), "hammer").expectStatus().isEqualTo(429)
                .expectHeader().exists("Retry-After")
                .expectBody().jsonPath("$.error.code").isEqualTo("RATE_LIMITED")
                .jsonPath("$.error.retryAfter").isNumber();
        buy(sale.id(), "someone-else").expectStatus().isCreated();
    }

    @Test
    void invalidShopperIdsAreRefusedWithoutABucket() {
        SaleSpec sale = activeSale("junk", 10, 1);
        long before = guard.trackedBuckets()[1];
        for (int i = 0; i < 50; i++) {
            buy(sale.id(), "x".repeat(256) + i).expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.error.fields['X-User-Id']").exists();
        }
        // (buckets of earlier tests may expire meanwhile, so the count can only stay or fall)
        assertThat(guard.trackedBuckets()[1]).isLessThanOrEqualTo(before);
    }

    @Test
    void overCapacityIsShedWithServiceUnavailable() {
        SaleSpec sale = activeSale("shed", 10_000, 1);
        WebClient client = concurrentClient(400);
        Map<Integer, Long> statuses = Flux.range(0, 400)
                .flatMap(i -> client.post().uri("/api/v1/sales/{id}/purchases", sale.id()).header("X-User-Id", "shed-" + i)
                        .exchangeToMono(r -> r.bodyToMono(String.class).defaultIfEmpty("")
                                .map(b -> List.of(r.statusCode().value(), b))), 400)
                .collect(Collectors.groupingBy(l -> (Integer) l.get(0), Collectors.counting()))
                .block();
        assertThat(statuses.keySet()).containsOnly(201, 503);
        assertThat(statuses.get(503)).isPositive();
        assertThat(view(sale.id()).sold()).isEqualTo(statuses.get(201));
    }
}
