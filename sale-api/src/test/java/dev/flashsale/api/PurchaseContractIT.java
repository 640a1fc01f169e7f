package dev.flashsale.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.core.SaleSpec;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

/** Every row of the purchase table of docs/contract/api.md ("Purchase"), over HTTP. */
class PurchaseContractIT extends ApiTestSupport {

    @Test
    void successIsCreatedWithLocationAndPurchase() {
        SaleSpec sale = activeSale("ok", 10, 1);
        buy(sale.id(), "alice").expectStatus().isCreated()
                .expectHeader().valueEquals("Location", "/api/v1/sales/" + sale.id() + "/purchases/me")
                .expectHeader().exists("X-Request-Id")
                .expectBody()
                .jsonPath("$.success").isEqualTo(true)
                .jsonPath("$.data.purchaseId").value(org.hamcrest.Matchers.matchesPattern(purchaseIdPattern(sale.id())))
                .jsonPath("$.data.saleId").isEqualTo(sale.id())
                .jsonPath("$.data.userId").isEqualTo("alice")
                .jsonPath("$.data.qty").isEqualTo(1)
                .jsonPath("$.data.persisted").isEqualTo(false)
                .jsonPath("$.data.purchasedAt").value(String.class, t -> assertThat(t).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
    }

    @Test
    void sameIdempotencyKeyReplaysByteForByte() {
        SaleSpec sale = activeSale("idem", 10, 2);
        byte[] first = http.post().uri("/api/v1/sales/{id}/purchases", sale.id()).header("X-User-Id", "bob")
                .header("Idempotency-Key", "click-1").exchange().expectStatus().isCreated().expectBody().returnResult().getResponseBody();
        byte[] again = http.post().uri("/api/v1/sales/{id}/purchases", sale.id()).header("X-User-Id", "bob")
                .header("Idempotency-Key", "click-1").exchange().expectStatus().isCreated().expectBody().returnResult().getResponseBody();
        assertThat(again).isEqualTo(first);
        assertThat(view(sale.id()).sold()).isEqualTo(1);
    }

    @Test
    void upcomingAndPausedAreNotActive() {
        Instant now = redisNow();
        SaleSpec upcoming = sale("upc", 10, 1, now.plusSeconds(600), now.plusSeconds(1200));
        buy(upcoming.id(), "carol").expectStatus().isEqualTo(HttpStatus.CONFLICT).expectBody()
                .jsonPath("$.success").isEqualTo(false)
                .jsonPath("$.error.code").isEqualTo("SALE_NOT_ACTIVE")
                .jsonPath("$.error.state").isEqualTo("UPCOMING");
        SaleSpec paused = activeSale("paused", 10, 1);
        store.pause(paused.id(), true).block();
        buy(paused.id(), "carol").expectStatus().isEqualTo(HttpStatus.CONFLICT).expectBody()
                .jsonPath("$.error.code").isEqualTo("SALE_NOT_ACTIVE")
                .jsonPath("$.error.state").isEqualTo("PAUSED");
    }

    @Test
    void endedByTimeOrCancelled() {
        Instant now = redisNow();
        SaleSpec expired = sale("expired", 10, 1, now.minusSeconds(120), now.minusSeconds(60));
        buy(expired.id(), "dave").expectStatus().isEqualTo(HttpStatus.CONFLICT).expectBody()
                .jsonPath("$.error.code").isEqualTo("SALE_ENDED")
                .jsonPath("$.error.endReason").isEqualTo("TIME_EXPIRED");
        SaleSpec cancelled = activeSale("cancel", 10, 1);
        store.cancel(cancelled.id()).block();
        buy(cancelled.id(), "dave").expectStatus().isEqualTo(HttpStatus.CONFLICT).expectBody()
                .jsonPath("$.error.code").isEqualTo("SALE_ENDED")
                .jsonPath("$.error.endReason").isEqualTo("CANCELLED");
    }

    @Test
    void soldOutAndAlreadyPurchasedWithTheExistingPurchase() {
        SaleSpec sale = activeSale("soldout", 1, 1);
        buy(sale.id(), "erin").expectStatus().isCreated();
        buy(sale.id(), "frank").expectStatus().isEqualTo(HttpStatus.CONFLICT).expectBody()
                .jsonPath("$.error.code").isEqualTo("SOLD_OUT");
        buy(sale.id(), "erin").expectStatus().isEqualTo(HttpStatus.CONFLICT).expectBody()
                .jsonPath("$.error.code").isEqualTo("ALREADY_PURCHASED")
                .jsonPath("$.error.purchase.purchaseId").isEqualTo(purchaseIdOf(sale.id(), "erin"))
                .jsonPath("$.error.purchase.userId").isEqualTo("erin");
    }

    @Test
    void quantityRules() {
        SaleSpec sale = activeSale("qty", 3, 2);
        http.post().uri("/api/v1/sales/{id}/purchases", sale.id()).header("X-User-Id", "gina")
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"qty\": 0}").exchange()
                .expectStatus().isBadRequest().expectBody()
                .jsonPath("$.error.code").isEqualTo("VALIDATION_ERROR")
                .jsonPath("$.error.fields.qty").exists();
        http.post().uri("/api/v1/sales/{id}/purchases", sale.id()).header("X-User-Id", "gina")
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"qty\": 3}").exchange()
                .expectStatus().isEqualTo(HttpStatus.CONFLICT).expectBody()
                .jsonPath("$.error.code").isEqualTo("LIMIT_EXCEEDED")
                .jsonPath("$.error.remaining").isEqualTo(2);
        http.post().uri("/api/v1/sales/{id}/purchases", sale.id()).header("X-User-Id", "gina")
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"qty\": 2}").exchange()
                .expectStatus().isCreated().expectBody().jsonPath("$.data.qty").isEqualTo(2);
        http.post().uri("/api/v1/sales/{id}/purchases", sale.id()).header("X-User-Id", "hank")
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"qty\": 2}").exchange()
                .expectStatus().isEqualTo(HttpStatus.CONFLICT).expectBody()
                .jsonPath("$.error.code").isEqualTo("INSUFFICIENT_STOCK")
                .jsonPath("$.error.stock").isEqualTo(1);
    }

    @Test
    void userIdValidation() {
        SaleSpec sale = activeSale("uid", 3, 1);
        http.post().uri("/api/v1/sales/{id}/purchases", sale.id()).exchange()
                .expectStatus().isBadRequest().expectBody()
                .jsonPath("$.error.code").isEqualTo("VALIDATION_ERROR")
                .jsonPath("$.error.fields['X-User-Id']").isEqualTo("is required");
        buy(sale.id(), "").expectStatus().isBadRequest().expectBody()
                .jsonPath("$.error.fields['X-User-Id']").isEqualTo("is required");
        buy(sale.id(), "x".repeat(256)).expectStatus().isBadRequest().expectBody()
                .jsonPath("$.error.fields['X-User-Id']").isEqualTo("must be at most 255 characters");
        buy(sale.id(), "x".repeat(255)).expectStatus().isCreated();
        http.post().uri("/api/v1/sales/{id}/purchases", sale.id()).header("X-User-Id", "ivy")
                .header("Idempotency-Key", "has space").exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.error.fields['Idempotency-Key']").exists();
    }

    @Test
    void malformedBodiesAndMediaTypes() {
        SaleSpec sale = activeSale("body", 3, 1);
        http.post().uri("/api/v1/sales/{id}/purchases", sale.id()).header("X-User-Id", "jo")
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"qty\": ").exchange()
                .expectStatus().isBadRequest().expectBody()
                .jsonPath("$.error.code").isEqualTo("VALIDATION_ERROR").jsonPath("$.error.fields.body").exists();
        http.post().uri("/api/v1/sales/{id}/purchases", sale.id()).header("X-User-Id", "jo")
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"qty\": \"two\"}").exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.error.fields.qty").isEqualTo("must be an integer");
        http.post().uri("/api/v1/sales/{id}/purchases", sale.id()).header("X-User-Id", "jo")
                .contentType(MediaType.APPLICATION_JSON).bodyValue("[1]").exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.error.fields.body").isEqualTo("must be a JSON object");
        http.post().uri("/api/v1/sales/{id}/purchases", sale.id()).header("X-User-Id", "jo")
                .contentType(MediaType.TEXT_PLAIN).bodyValue("qty=1").exchange()
                .expectStatus().isEqualTo(HttpStatus.UNSUPPORTED_MEDIA_TYPE).expectBody()
                .jsonPath("$.error.code").isEqualTo("UNSUPPORTED_MEDIA_TYPE");
        http.post().uri("/api/v1/sales/{id}/purchases", sale.id()).header("X-User-Id", "jo")
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"pad\": \"" + "a".repeat(40_000) + "\"}").exchange()
                .expectStatus().isEqualTo(HttpStatus.CONTENT_TOO_LARGE).expectBody()
                .jsonPath("$.error.code").isEqualTo("PAYLOAD_TOO_LARGE");
        assertThat(view(sale.id()).sold()).isZero();
    }

    @Test
    void unknownSale() {
        buy("no-such-sale", "kim").expectStatus().isNotFound().expectBody()
                .jsonPath("$.error.code").isEqualTo("SALE_NOT_FOUND");
        buy("Not_A_Valid_Id", "kim").expectStatus().isNotFound().expectBody()
                .jsonPath("$.error.code").isEqualTo("SALE_NOT_FOUND");
        // validation comes before the unknown sale
        http.post().uri("/api/v1/sales/no-such-sale/purchases").exchange().expectStatus().isBadRequest();
    }
}
