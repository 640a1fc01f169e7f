package dev.flashsale.core;

import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * What an admin declares about a sale (the FlashSale resource's spec). The limits here are the ones
 * the CRD schema enforces too; sale-core checks them again because Redis is written only from here.
 * {@code holdFor} is the checkout window of a purchase (null: purchases are final at once).
 */
public record SaleSpec(String id, String sku, String productName, long initialStock, int perUserLimit,
                       Instant startTime, Instant endTime, boolean paused, boolean cancelled, Duration holdFor) {

    public static final String ID_PATTERN = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
    public static final String SKU_PATTERN = "^[A-Z0-9][A-Z0-9-]{0,63}$";
    public static final Pattern ID = Pattern.compile(ID_PATTERN);
    public static final Pattern SKU = Pattern.compile(SKU_PATTERN);
    public static final long MAX_STOCK = 10_000_000L;
    public static final int MAX_PER_USER_LIMIT = 100;
    public static final int MAX_PRODUCT_NAME = 255;
    /**
     * The FlashSale resource allows 1m..24h (its schema); sale-core allows holds down to a second so
     * that tests and a local demo see expiries in seconds, not minutes.
     */
    public static final Duration MIN_HOLD_FOR = Duration.ofSeconds(1);
    public static final Duration MAX_HOLD_FOR = Duration.ofHours(24);

    /** A sale without checkout. */
    public SaleSpec(String id, String sku, String productName, long initialStock, int perUserLimit,
                    Instant startTime, Instant endTime, boolean paused, boolean cancelled) {
        this(id, sku, productName, initialStock, perUserLimit, startTime, endTime, paused, cancelled, null);
    }

    public Violations validate() {
        Violations v = new Violations();
        v.check(id != null && ID.matcher(id).matches(), "id", "must be a DNS-1123 label");
        v.check(sku != null && SKU.matcher(sku).matches(), "sku", "must match " + SKU.pattern());
        v.text(productName, "productName", MAX_PRODUCT_NAME);
        v.check(initialStock >= 1 && initialStock <= MAX_STOCK, "initialStock", "must be 1.." + MAX_STOCK);
        v.check(perUserLimit >= 1 && perUserLimit <= MAX_PER_USER_LIMIT, "perUserLimit", "must be 1.." + MAX_PER_USER_LIMIT);
        v.check(startTime != null, "startTime", "is required");
        v.check(endTime != null, "endTime", "is required");
        if (holdFor != null) {
            v.check(holdFor.compareTo(MIN_HOLD_FOR) >= 0 && holdFor.compareTo(MAX_HOLD_FOR) <= 0,
                    "checkout.holdFor", "must be 1s..24h");
        }
        if (startTime != null && endTime != null) {
            v.check(endTime.isAfter(startTime), "endTime", "must be after startTime");
        }
        return v;
    }

    public SaleSpec withPaused(boolean value) {
        return new SaleSpec(id, sku, productName, initialStock, perUserLimit, startTime, endTime, value, cancelled, holdFor);
    }

    public SaleSpec withCancelled(boolean value) {
        return new SaleSpec(id, sku, productName, initialStock, perUserLimit, startTime, endTime, paused, value, holdFor);
    }

    public SaleSpec withHoldFor(Duration value) {
        return new SaleSpec(id, sku, productName, initialStock, perUserLimit, startTime, endTime, paused, cancelled, value);
    }
}
