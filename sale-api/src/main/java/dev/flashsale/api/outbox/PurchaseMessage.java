package dev.flashsale.api.outbox;

import dev.flashsale.api.web.Json;
import dev.flashsale.core.Purchase;
import java.time.Instant;

/** A purchase as it travels on Kafka (JSON value; the key is the sale id, to keep a sale's order). */
public record PurchaseMessage(String purchaseId, String saleId, String userId, int qty, String purchasedAt) {

    public static PurchaseMessage of(Purchase p) {
        return new PurchaseMessage(p.purchaseId(), p.saleId(), p.userId(), p.qty(), Json.time(p.purchasedAt()));
    }

    /** @throws IllegalArgumentException for a message that cannot be a purchase (dead-lettered) */
    public Purchase toPurchase() {
        if (purchaseId == null || saleId == null || userId == null || qty < 1 || purchasedAt == null) {
            throw new IllegalArgumentException("incomplete purchase message");
        }
        return new Purchase(purchaseId, saleId, userId, qty, Instant.parse(purchasedAt));
    }
}
