package dev.flashsale.api.web;

import dev.flashsale.core.Purchase;
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
                       long initialStock, long stock, long sold, int perUserLimit, String startTime,
                       String endTime, String serverTime) {

        public static Sale of(SaleView v) {
            return new Sale(v.id(), v.sku(), v.productName(), v.state().name(),
                    v.endReason() == null ? null : v.endReason().name(), v.initialStock(), v.stock(), v.sold(),
                    v.perUserLimit(), time(v.startTime()), time(v.endTime()), time(v.serverTime()));
        }
    }

    public record PurchaseView(String purchaseId, String saleId, String userId, int qty, String purchasedAt,
                               boolean persisted) {

        public static PurchaseView of(Purchase p, boolean persisted) {
            return new PurchaseView(p.purchaseId(), p.saleId(), p.userId(), p.qty(), time(p.purchasedAt()), persisted);
        }
    }

    public record StockUpdate(String id, long stock, long sold) {}

    public record StateChange(String id, String state, String endReason) {}
}
