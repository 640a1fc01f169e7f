package dev.flashsale.core;

/** Result of deleting a sale's hot keys: NOT_PERSISTED keeps them until persisted == sold. */
public record DeleteResult(Outcome outcome, long sold, long persisted) {

    public enum Outcome { DELETED, NOT_PERSISTED, SALE_NOT_FOUND }
}
