package dev.flashsale.core;

/** A shopper's request to buy; {@link #validate()} holds the input rules of the contract. */
public record PurchaseRequest(String saleId, String userId, int qty, String idempotencyKey) {

    public static final int MAX_USER_ID = 255;
    public static final int MAX_IDEMPOTENCY_KEY = 128;

    public PurchaseRequest {
        userId = userId == null ? null : userId.strip();
    }

    public Violations validate() {
        Violations v = new Violations().text(userId, "X-User-Id", MAX_USER_ID);
        v.check(qty >= 1, "qty", "must be at least 1");
        v.check(qty <= SaleSpec.MAX_PER_USER_LIMIT, "qty", "must be at most " + SaleSpec.MAX_PER_USER_LIMIT);
        if (idempotencyKey != null) {
            v.check(!idempotencyKey.isEmpty() && idempotencyKey.length() <= MAX_IDEMPOTENCY_KEY
                            && idempotencyKey.chars().allMatch(c -> c >= 0x21 && c <= 0x7e),
                    "Idempotency-Key", "must be 1.." + MAX_IDEMPOTENCY_KEY + " printable ASCII characters");
        }
        return v;
    }
}
