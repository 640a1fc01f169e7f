package dev.flashsale.api.outbox;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.flashsale.api.web.Json;
import dev.flashsale.core.LedgerEvent;
import dev.flashsale.core.Purchase;
import java.time.Instant;

/**
 * A purchase as it travels on Kafka (JSON value; the key is the sale id, to keep a sale's order).
 * For a sale with checkout it also carries one ledger event ({@code event}, {@code at},
 * {@code expiresAt}, {@code paymentId}); those fields are absent for a purchase final at once.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PurchaseMessage(String purchaseId, String saleId, String userId, int qty, String purchasedAt,
                              String event, String at, String expiresAt, String paymentId) {

    public static PurchaseMessage of(Purchase p) {
        return of(p, null);
    }

    public static PurchaseMessage of(Purchase p, LedgerEvent e) {
        return new PurchaseMessage(p.purchaseId(), p.saleId(), p.userId(), p.qty(), Json.time(p.purchasedAt()),
                e == null ? null : e.kind().name(), e == null ? null : Json.time(e.at()),
                e == null ? null : Json.time(e.expiresAt()), e == null ? null : e.paymentId());
    }

    /** @throws IllegalArgumentException for a message that cannot be a purchase (dead-lettered) */
    public Purchase toPurchase() {
        if (purchaseId == null || saleId == null || userId == null || qty < 1 || purchasedAt == null) {
            throw new IllegalArgumentException("incomplete purchase message");
        }
        return new Purchase(purchaseId, saleId, userId, qty, Instant.parse(purchasedAt));
    }

    /**
     * The ledger event, null for a purchase without checkout.
     * @throws IllegalArgumentException for an event that cannot be one (dead-lettered)
     */
    public LedgerEvent toLedgerEvent() {
        if (event == null) {
            return null;
        }
        if (at == null || expiresAt == null) {
            throw new IllegalArgumentException("incomplete ledger event");
        }
        return new LedgerEvent(LedgerEvent.Kind.valueOf(event), Instant.parse(at), Instant.parse(expiresAt), paymentId);
    }
}
