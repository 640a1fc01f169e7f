package dev.flashsale.core;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One atomic read of a sale. {@code stock + sold == initialStock} and {@code sold == held +
 * confirmed()} by construction; {@code held} counts units in open holds and {@code holdFor} is the
 * checkout window (null without checkout); {@code eventId} is
 * the id of the newest event published for the sale when it was read. {@code incarnation} names
 * this life of the sale id (created with its keys; empty for keys written before it existed): every
 * purchase id of this life sorts after {@link #lifeStart()}, every id of an earlier life before it.
 */
public record SaleView(String id, String sku, String productName, SaleState state, EndReason endReason,
                       long initialStock, long stock, long sold, int perUserLimit, Instant startTime,
                       Instant endTime, Instant serverTime, long eventId, long persisted, String incarnation,
                       long held, Duration holdFor) {

    static SaleView fromScript(List<Object> r) {
        long initialStock = Scripts.num(r.get(5));
        long stock = Scripts.num(r.get(6));
        return new SaleView((String) r.get(0), (String) r.get(1), (String) r.get(2),
                SaleState.valueOf((String) r.get(3)), EndReason.fromScript((String) r.get(4)),
                initialStock, stock, initialStock - stock, (int) Scripts.num(r.get(7)),
                Scripts.instant(r.get(8)), Scripts.instant(r.get(9)), Scripts.instant(r.get(10)),
                Scripts.num(r.get(11)), Scripts.num(r.get(12)), (String) r.get(13), Scripts.num(r.get(14)),
                Scripts.num(r.get(15)) > 0 ? Duration.ofMillis(Scripts.num(r.get(15))) : null);
    }

    /** Units paid for, or sold without checkout. */
    public long confirmed() {
        return sold - held;
    }

    /** The purchase ids of this life are greater than this string (same width, same prefix). */
    public String lifeStart() {
        return id + "-" + incarnation;
    }
}
