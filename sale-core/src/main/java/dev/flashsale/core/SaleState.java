package dev.flashsale.core;

/** What a shopper can do with a sale right now; computed by the Redis clock in common.lua. */
public enum SaleState { UPCOMING, ACTIVE, PAUSED, ENDED }
