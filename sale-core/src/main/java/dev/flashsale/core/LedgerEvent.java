package dev.flashsale.core;

import java.time.Instant;

/**
 * One transition of a checkout purchase, as it travels through the outbox to PostgreSQL's ledger
 * (append_ledger in common.lua). The first four kinds are the purchase's statuses; the last two
 * record a payment that confirmed nothing (the provider refunds it). {@code paymentId} is null
 * unless a payment is part of the event.
 */
public record LedgerEvent(Kind kind, Instant at, Instant expiresAt, String paymentId) {

    public enum Kind {
        HELD, CONFIRMED, EXPIRED, CANCELLED, PAYMENT_AFTER_EXPIRY, DUPLICATE_PAYMENT;

        /** The status this event gives its purchase, or null for a payment that changed nothing. */
        public Hold.Status status() {
            return switch (this) {
                case HELD -> Hold.Status.HELD;
                case CONFIRMED -> Hold.Status.CONFIRMED;
                case EXPIRED -> Hold.Status.EXPIRED;
                case CANCELLED -> Hold.Status.CANCELLED;
                case PAYMENT_AFTER_EXPIRY, DUPLICATE_PAYMENT -> null;
            };
        }
    }
}
