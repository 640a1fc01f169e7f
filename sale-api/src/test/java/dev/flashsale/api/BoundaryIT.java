package dev.flashsale.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flashsale.api.events.SaleMemory;
import dev.flashsale.core.SaleSpec;
import dev.flashsale.testing.TestRedis;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;

/**
 * Start inclusive, end exclusive by the Redis clock, and the precedence of docs/contract/api.md
 * ("Purchase": "Precedence when several reasons apply"), over HTTP.
 */
class BoundaryIT extends ApiTestSupport {

    private static final Duration REDIS_PAUSE = Duration.ofSeconds(4);

    @Autowired
    SaleMemory memory;

    @Test
    void beforeStartDuringAndAfterEnd() throws Exception {
        Instant now = redisNow();
        SaleSpec sale = sale("window", 100, 1, now.plusMillis(1500), now.plusMillis(3500));
        buy(sale.id(), "early").expectStatus().isEqualTo(HttpStatus.CONFLICT).expectBody()
                .jsonPath("$.error.code").isEqualTo("SALE_NOT_ACTIVE").jsonPath("$.error.state").isEqualTo("UPCOMING");
        await("start").atMost(Duration.ofSeconds(5)).until(() -> redisNow().isAfter(sale.startTime()));
        buy(sale.id(), "on-time").expectStatus().isCreated();
        await("end").atMost(Duration.ofSeconds(5)).until(() -> !redisNow().isBefore(sale.endTime()));
        buy(sale.id(), "late").expectStatus().isEqualTo(HttpStatus.CONFLICT).expectBody()
                .jsonPath("$.error.code").isEqualTo("SALE_ENDED").jsonPath("$.error.endReason").isEqualTo("TIME_EXPIRED");
        // the buyer still learns that they bought, after the end
        buy(sale.id(), "on-time").expectStatus().isEqualTo(HttpStatus.CONFLICT).expectBody()
                .jsonPath("$.error.code").isEqualTo("ALREADY_PURCHASED");
    }

    @Test
    void soldOutOutranksEndedAndAlreadyPurchasedOutranksSoldOut() throws Exception {
        Instant now = redisNow();
        SaleSpec sale = sale("prec", 1, 1, now.minusSeconds(10), now.plusMillis(1500));
        buy(sale.id(), "winner").expectStatus().isCreated();
        await("end time passed").atMost(Duration.ofSeconds(5)).until(() -> !redisNow().isBefore(sale.endTime()));
        buy(sale.id(), "loser").expectStatus().isEqualTo(HttpStatus.CONFLICT).expectBody()
                .jsonPath("$.error.code").isEqualTo("SOLD_OUT");
        buy(sale.id(), "winner").expectStatus().isEqualTo(HttpStatus.CONFLICT).expectBody()
                .jsonPath("$.error.code").isEqualTo("ALREADY_PURCHASED");
        store.cancel(sale.id()).block();
        buy(sale.id(), "loser").expectStatus().isEqualTo(HttpStatus.CONFLICT).expectBody()
                .jsonPath("$.error.code").isEqualTo("SOLD_OUT");
        http.get().uri("/api/v1/sales/{id}", sale.id()).exchange().expectBody()
                .jsonPath("$.data.state").isEqualTo("ENDED").jsonPath("$.data.endReason").isEqualTo("SOLD_OUT");
    }

    @Test
    void theHerdAfterASellOutIsAnsweredFromMemoryButBuyersStillHearTheTruth() throws Exception {
        SaleSpec sale = activeSale("memory", 2, 1);
        buy(sale.id(), "b1").expectStatus().isCreated();
        buy(sale.id(), "b2").expectStatus().isCreated();
        buy(sale.id(), "late-1").expectStatus().isEqualTo(HttpStatus.CONFLICT).expectBody()
                .jsonPath("$.error.code").isEqualTo("SOLD_OUT");
        // once the pod has learnt the sale's buyers, the herd costs Redis nothing: with every Redis
        // client paused, 20 late shoppers are answered at once (one Redis call would wait for the pause)
        await("the pod remembers the sell-out").atMost(Duration.ofSeconds(10))
                .until(() -> memory.answerFromMemory(sale.id(), "probe") != null);
        try (TestRedis redis = new TestRedis()) {
            redis.sync().clientPause(REDIS_PAUSE.toMillis());
            long started = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                buy(sale.id(), "herd-" + i).expectStatus().isEqualTo(HttpStatus.CONFLICT).expectBody()
                        .jsonPath("$.error.code").isEqualTo("SOLD_OUT");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(REDIS_PAUSE.dividedBy(2));
        }
        // a buyer is still told the truth, by Redis (once the pause is over)
        buy(sale.id(), "b1").expectStatus().isEqualTo(HttpStatus.CONFLICT).expectBody()
                .jsonPath("$.error.code").isEqualTo("ALREADY_PURCHASED")
                .jsonPath("$.error.purchase.purchaseId").isEqualTo(purchaseIdOf(sale.id(), "b1"));
    }
}
