package dev.flashsale.core;

import java.util.List;
import java.util.Optional;

/**
 * A shopper's own purchase in a sale (my_purchase.lua, {@code GET .../purchases/me}): the latest
 * purchase, whether it is persisted, and the shopper's units in all; {@code purchase} is present
 * when the outcome is FOUND.
 */
public record MyPurchase(Outcome outcome, Optional<Purchase> purchase, boolean persisted, long totalQty) {

    public enum Outcome { FOUND, PURCHASE_NOT_FOUND, SALE_NOT_FOUND }

    static MyPurchase fromScript(String saleId, List<Object> r) {
        Outcome outcome = Outcome.valueOf((String) r.get(0));
        if (outcome != Outcome.FOUND) {
            return new MyPurchase(outcome, Optional.empty(), false, 0);
        }
        return new MyPurchase(outcome, Optional.of(Purchase.fromRecord(saleId, (String) r.get(1), (String) r.get(2))),
                Scripts.num(r.get(3)) == 1, Scripts.num(r.get(4)));
    }
}
