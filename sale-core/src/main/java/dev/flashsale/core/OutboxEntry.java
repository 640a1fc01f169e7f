package dev.flashsale.core;

import java.time.Instant;
import java.util.Map;

/**
 * A purchase read back from a sale's outbox stream (fields written by append_outbox and
 * append_ledger in common.lua); {@code ledger} is the transition it carries for a sale with
 * checkout, null for a purchase that is final at once.
 */
public record OutboxEntry(String streamId, Purchase purchase, LedgerEvent ledger) {

    public static OutboxEntry of(String saleId, String streamId, Map<String, String> body) {
        Purchase purchase = new Purchase(body.get("purchaseId"), saleId, body.get("userId"),
                Integer.parseInt(body.get("qty")), millis(body.get("purchasedAt")));
        String event = body.get("event");
        LedgerEvent ledger = event == null ? null : new LedgerEvent(LedgerEvent.Kind.valueOf(event),
                millis(body.get("at")), millis(body.get("expiresAt")),
                body.get("paymentId") == null || body.get("paymentId").isEmpty() ? null : body.get("paymentId"));
        return new OutboxEntry(streamId, purchase, ledger);
    }

    private static Instant millis(String value) {
        return Instant.ofEpochMilli(Long.parseLong(value));
    }
}
