package dev.flashsale.api.web;

import dev.flashsale.core.Hold;
import dev.flashsale.core.Purchase;
import dev.flashsale.core.SaleEvent;
import dev.flashsale.core.SaleView;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The JSON shapes of the contract (docs/api.md): ISO-8601 UTC timestamps with milliseconds. */
public final class Json {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Json() {}

    public static String time(Instant t) {
        return TIME.format(t);
    }

    public record Ok(boolean success, Object data) {
        public Ok(Object data) {
            this(true, data);
        }
    }

    public record Sale(String id, String sku, String productName, String state, String endReason,
                       long initialStock, long stock, long sold, long held, long confirmed, Long holdForSeconds,
                       int perUserLimit, String startTime, String endTime, String serverTime) {

        public static Sale of(SaleView v) {
            return new Sale(v.id(), v.sku(), v.productName(), v.state().name(),
                    v.endReason() == null ? null : v.endReason().name(), v.initialStock(), v.stock(), v.sold(),
                    v.held(), v.confirmed(), v.holdFor() == null ? null : v.holdFor().toSeconds(),
                    v.perUserLimit(), time(v.startTime()), time(v.endTime()), time(v.serverTime()));
        }
    }

    /** A purchase; {@code hold} is its hold record with checkout, null for a purchase final at once. */
    public record PurchaseView(String purchaseId, String saleId, String userId, int qty, String purchasedAt,
                               String status, String expiresAt, boolean persisted) {

        public static PurchaseView of(Purchase p, Hold hold, boolean persisted) {
            return new PurchaseView(p.purchaseId(), p.saleId(), p.userId(), p.qty(), time(p.purchasedAt()),
                    Hold.statusOf(hold).name(), hold == null ? null : time(hold.expiresAt()), persisted);
        }
    }

    public record StockUpdate(String id, long stock, long sold, long held, long confirmed) {
        public static StockUpdate of(SaleEvent e) {
            return new StockUpdate(e.saleId(), e.stock(), e.sold(), e.held(), e.sold() - e.held());
        }
    }

    public record StateChange(String id, String state, String endReason) {}
}
