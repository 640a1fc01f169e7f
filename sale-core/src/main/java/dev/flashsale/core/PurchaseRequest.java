package dev.flashsale.core;

/** A shopper's request to buy; {@link #validate()} holds the input rules of the contract. */
public record PurchaseRequest(String saleId, String userId, int qty, String idempotencyKey) {

    public static final int MAX_USER_ID = 255;
    public static final int MAX_IDEMPOTENCY_KEY = 128;

    public PurchaseRequest {
        userId = userId == null ? null : userId.strip();
    }

    private static final String QTY_TOO_HIGH = "must be at most " + SaleSpec.MAX_PER_USER_LIMIT;
    private static final String BAD_IDEMPOTENCY_KEY = "must be 1.." + MAX_IDEMPOTENCY_KEY + " printable ASCII characters";

    public Violations validate() {
        Violations v = new Violations().text(userId, "X-User-Id", MAX_USER_ID);
        v.check(qty >= 1, "qty", "must be at least 1");
        v.check(qty <= SaleSpec.MAX_PER_USER_LIMIT, "qty", QTY_TOO_HIGH);
        if (idempotencyKey != null) {
            v.check(isPrintableAscii(idempotencyKey, MAX_IDEMPOTENCY_KEY), "Idempotency-Key", BAD_IDEMPOTENCY_KEY);
        }
        return v;
    }

    private static boolean isPrintableAscii(String value, int max) {
        if (value.isEmpty() || value.length() > max) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
