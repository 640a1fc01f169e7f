package dev.flashsale.core;

/** Why an ENDED sale ended; the first reason recorded sticks. */
public enum EndReason {
    SOLD_OUT, TIME_EXPIRED, CANCELLED;

    /** Scripts return '' for "not ended". */
    static EndReason fromScript(String value) {
        return value == null || value.isEmpty() ? null : valueOf(value);
    }
}
