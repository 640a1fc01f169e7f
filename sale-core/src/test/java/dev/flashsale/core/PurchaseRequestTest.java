package dev.flashsale.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import org.junit.jupiter.api.Test;

/** The input rules of a purchase (docs/contract/api.md, "Purchase"): what a shopper is told. */
class PurchaseRequestTest {

    @Test
    void aValidRequestHasNoViolation() {
        Violations v = new PurchaseRequest("s", "  alice  ", 1, "key-1").validate();
        assertThat(v.isEmpty()).isTrue();
        assertThat(v.fields()).isEmpty();
    }

    @Test
    void everyBrokenFieldIsNamedOnceInTheOrderChecked() {
        Violations v = new PurchaseRequest("s", "bob\u0007", 0, "has space").validate();
        assertThat(v.fields()).containsExactly(
                entry("X-User-Id", "must not contain control characters"),
                entry("qty", "must be at least 1"),
                entry("Idempotency-Key", "must be 1..128 printable ASCII characters"));
    }

    @Test
    void limitsOfLengthAndQuantity() {
        assertThat(new PurchaseRequest("s", "x".repeat(256), SaleSpec.MAX_PER_USER_LIMIT + 1, "k".repeat(129)).validate().fields())
                .containsExactly(entry("X-User-Id", "must be at most 255 characters"),
                        entry("qty", "must be at most " + SaleSpec.MAX_PER_USER_LIMIT),
                        entry("Idempotency-Key", "must be 1..128 printable ASCII characters"));
        assertThat(new PurchaseRequest("s", null, 1, null).validate().fields()).containsExactly(entry("X-User-Id", "is required"));
        assertThat(new PurchaseRequest("s", "u", 1, "").validate().fields()).containsOnlyKeys("Idempotency-Key");
    }

    @Test
    void mergedViolationsFollowAndKeepEachFieldsFirstMessage() {
        Violations body = new Violations().check(false, "qty", "must be an integer").check(false, "X-User-Id", "second");
        assertThat(new PurchaseRequest("s", "", 1, null).validate().merge(body).fields()).containsExactly(
                entry("X-User-Id", "is required"), entry("qty", "must be an integer"));
        assertThat(new Violations().merge(new Violations()).isEmpty()).isTrue();
    }
}
