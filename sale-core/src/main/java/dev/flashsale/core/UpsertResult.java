package dev.flashsale.core;

/**
 * Result of applying a spec. REFUSED names the field whose change the rules forbid (Redis untouched);
 * SALE_NOT_FOUND means the sale's keys are gone although the caller said they must exist.
 */
public record UpsertResult(Outcome outcome, SaleState state, EndReason endReason, String refusedField) {

    public enum Outcome { CREATED, UPDATED, REFUSED, SALE_NOT_FOUND }
}
