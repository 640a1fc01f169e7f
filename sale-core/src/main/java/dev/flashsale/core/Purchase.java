package dev.flashsale.core;

import java.time.Instant;

/** A confirmed purchase. {@code purchaseId} is unique within the sale and never reused. */
public record Purchase(String purchaseId, String saleId, String userId, int qty, Instant purchasedAt) {

    /** Parses a record of the purchases hash: {@code qty|purchasedAtMillis|userId}. */
    static Purchase fromRecord(String saleId, String purchaseId, String record) {
        String[] parts = record.split("\\|", 3);
        return new Purchase(purchaseId, saleId, parts[2], Integer.parseInt(parts[0]),
                Instant.ofEpochMilli(Long.parseLong(parts[1])));
    }
}
