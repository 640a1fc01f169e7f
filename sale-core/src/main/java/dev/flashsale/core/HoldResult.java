package dev.flashsale.core;

import java.time.Instant;
import java.util.List;

/**
 * What a payment (pay.lua) or a shopper's cancellation (cancel.lua) did to a hold. {@code purchase},
 * {@code persisted} and {@code hold} describe the purchase afterwards; they are null/false for
 * PURCHASE_NOT_FOUND and SALE_NOT_FOUND.
 */
public record HoldResult(Outcome outcome, Instant serverTime, Purchase purchase, boolean persisted, Hold hold) {

    public enum Outcome {
        /** pay: the hold is paid. */
        CONFIRMED,
        /** pay: the hold had expired or was cancelled; the payment is recorded for a refund. */
        HOLD_EXPIRED,
        /** pay: the purchase was paid already (or needed no payment); recorded for a refund. */
        ALREADY_PAID,
        /** cancel: the hold is given up. */
        CANCELLED,
        /** cancel: the shopper's latest purchase is not an open hold. */
        PURCHASE_NOT_HELD,
        PURCHASE_NOT_FOUND,
        SALE_NOT_FOUND
    }

    static HoldResult fromScript(String saleId, List<Object> r) {
        Outcome outcome = Outcome.valueOf((String) r.get(0));
        Instant now = Scripts.instant(r.get(1));
        if (r.size() < 6) {
            return new HoldResult(outcome, now, null, false, null);
        }
        return new HoldResult(outcome, now, Purchase.fromRecord(saleId, (String) r.get(2), (String) r.get(3)),
                Scripts.num(r.get(4)) == 1, Hold.parse(r.get(5)));
    }
}
