package dev.flashsale.core;

import java.time.Instant;
import java.util.List;

/**
 * The decision of purchase.lua. Which fields are set depends on the outcome: {@code purchase} (and
 * with checkout its {@code hold}) for SUCCESS, REPLAY and ALREADY_PURCHASED; {@code state} for
 * SALE_NOT_ACTIVE and SOLD_OUT (ENDED, or ACTIVE while holds may still return units); {@code endReason} for
 * SALE_ENDED; {@code remaining} (units the user may still buy, or units left) for LIMIT_EXCEEDED and
 * INSUFFICIENT_STOCK.
 */
public record PurchaseResult(Outcome outcome, Instant serverTime, Purchase purchase, boolean persisted,
                             SaleState state, EndReason endReason, long remaining, Hold hold) {

    public PurchaseResult(Outcome outcome, Instant serverTime, Purchase purchase, boolean persisted,
                          SaleState state, EndReason endReason, long remaining) {
        this(outcome, serverTime, purchase, persisted, state, endReason, remaining, null);
    }

    public enum Outcome {
        SUCCESS, REPLAY, ALREADY_PURCHASED, SOLD_OUT, SALE_ENDED, SALE_NOT_ACTIVE, LIMIT_EXCEEDED,
        INSUFFICIENT_STOCK, SALE_NOT_FOUND;

        /** The purchase was made, now or by an earlier request with the same Idempotency-Key. */
        public boolean purchased() {
            return this == SUCCESS || this == REPLAY;
        }
    }

    static PurchaseResult fromScript(String saleId, List<Object> r) {
        String code = (String) r.get(0);
        Instant now = Scripts.instant(r.get(1));
        return switch (code) {
            case "SUCCESS", "REPLAY", "ALREADY_PURCHASED" -> new PurchaseResult(Outcome.valueOf(code), now,
                    Purchase.fromRecord(saleId, (String) r.get(2), (String) r.get(3)),
                    Scripts.num(r.get(4)) == 1, null, null, 0, Hold.parse(r.get(5)));
            case "SOLD_OUT" -> new PurchaseResult(Outcome.SOLD_OUT, now, null, false,
                    SaleState.valueOf((String) r.get(2)), null, 0);
            case "SALE_NOT_ACTIVE" -> new PurchaseResult(Outcome.SALE_NOT_ACTIVE, now, null, false,
                    SaleState.valueOf((String) r.get(2)), null, 0);
            case "SALE_ENDED" -> new PurchaseResult(Outcome.SALE_ENDED, now, null, false, SaleState.ENDED,
                    EndReason.fromScript((String) r.get(2)), 0);
            case "LIMIT_EXCEEDED", "INSUFFICIENT_STOCK" -> new PurchaseResult(Outcome.valueOf(code), now, null,
                    false, null, null, Scripts.num(r.get(2)));
            default -> new PurchaseResult(Outcome.valueOf(code), now, null, false, null, null, 0);
        };
    }
}
