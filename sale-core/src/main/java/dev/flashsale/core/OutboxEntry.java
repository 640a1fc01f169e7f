package dev.flashsale.core;

import java.time.Instant;
import java.util.Map;

/** A purchase read back from a sale's outbox stream (fields written by append_outbox in common.lua). */
public record OutboxEntry(String streamId, Purchase purchase) {

    public static OutboxEntry of(String saleId, String streamId, Map<String, String> body) {
        return new OutboxEntry(streamId, new Purchase(body.get("purchaseId"), saleId, body.get("userId"),
                Integer.parseInt(body.get("qty")), Instant.ofEpochMilli(Long.parseLong(body.get("purchasedAt")))));
    }
}
