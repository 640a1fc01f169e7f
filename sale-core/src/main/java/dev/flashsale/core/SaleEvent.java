package dev.flashsale.core;

/**
 * An event published by the scripts on {@link SaleKeys#EVENTS_CHANNEL}, wire format
 * {@code saleId|eventId|kind|a|b[|c]} (see common.lua). For STOCK, a = stock, b = sold and, with
 * checkout, {@code held} (else 0); for STATE,
 * a = state and b = endReason ('' when none); for PERSISTED, a = persisted and b = sold; SPEC (the
 * admin changed what shoppers see: product name, times, limit, stock before the start) carries
 * nothing, readers read the view. PERSISTED keeps the sale's current event id: it is for the
 * operator, not for browsers.
 */
public record SaleEvent(String saleId, long id, Kind kind, String a, String b, long held) {

    public SaleEvent(String saleId, long id, Kind kind, String a, String b) {
        this(saleId, id, kind, a, b, 0);
    }

    public enum Kind { STOCK, STATE, PERSISTED, SPEC }

    /** Returns null for a message this version does not understand. */
    public static SaleEvent parse(String message) {
        String[] p = message.split("\\|", -1);
        if (p.length != 5 && p.length != 6) {
            return null;
        }
        try {
            return new SaleEvent(p[0], Long.parseLong(p[1]), Kind.valueOf(p[2].toUpperCase()), p[3], p[4],
                    p.length == 6 ? Long.parseLong(p[5]) : 0);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    public long stock() { return Long.parseLong(a); }

    public long sold() { return Long.parseLong(b); }

    public SaleState state() { return SaleState.valueOf(a); }

    public EndReason endReason() { return EndReason.fromScript(b); }
}
