package dev.flashsale.core;

import java.time.Instant;

/**
 * A checkout purchase's hold record (holds hash, see common.lua): its status, since when, when the
 * hold expires (or expired), and the payment that confirmed it (null unless CONFIRMED). Purchases
 * of sales without checkout have none: they are {@link Status#CONFIRMED} from the start.
 */
public record Hold(Status status, Instant at, Instant expiresAt, String paymentId) {

    public enum Status {
        HELD, CONFIRMED, EXPIRED, CANCELLED;

        /** The units are still the buyer's (they count in {@code sold}). */
        public boolean live() {
            return this == HELD || this == CONFIRMED;
        }
    }

    /** Parses {@code status|atMillis|expiresAtMillis|paymentId}; null for '' (no hold). */
    static Hold parse(Object record) {
        String s = (String) record;
        if (s == null || s.isEmpty()) {
            return null;
        }
        String[] p = s.split("\\|", 4);
        return new Hold(Status.valueOf(p[0]), Instant.ofEpochMilli(Long.parseLong(p[1])),
                Instant.ofEpochMilli(Long.parseLong(p[2])), p[3].isEmpty() ? null : p[3]);
    }

    /** The status of a purchase whose hold record is {@code hold} (null: no checkout). */
    public static Status statusOf(Hold hold) {
        return hold == null ? Status.CONFIRMED : hold.status();
    }
}
