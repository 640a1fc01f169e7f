package dev.flashsale.core;

import java.util.List;
import java.util.Optional;

/**
 * A shopper's own purchase in a sale (my_purchase.lua, {@code GET .../purchases/me}): the latest
 * purchase, whether it is persisted, the shopper's units in all (open holds included) and, with
 * checkout, its hold; {@code purchase} is present when the outcome is FOUND.
 */
public record MyPurchase(Outcome outcome, Optional<Purchase> purchase, boolean persisted, long totalQty, Hold hold) {

    public enum Outcome { FOUND, PURCHASE_NOT_FOUND, SALE_NOT_FOUND }

    static MyPurchase fromScript(String saleId, List<Object> r) {
        Outcome outcome = Outcome.valueOf((String) r.get(0));
        if (outcome != Outcome.FOUND) {
            return new MyPurchase(outcome, Optional.empty(), false, 0, null);
        }
        return new MyPurchase(outcome, Optional.of(Purchase.fromRecord(saleId, (String) r.get(1), (String) r.get(2))),
                Scripts.num(r.get(3)) == 1, Scripts.num(r.get(4)), Hold.parse(r.get(5)));
    }
}
