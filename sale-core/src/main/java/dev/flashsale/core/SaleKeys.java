package dev.flashsale.core;

import java.util.List;

/**
 * The Redis key schema. Every key of one sale carries the hash tag {@code {saleId}}, so the scripts
 * of the purchase path each touch a single Redis Cluster slot; only creating and deleting a sale
 * also touch the registry.
 */
public record SaleKeys(String saleId) {

    /**
     * Set of the ids of all sales this Redis knows; written by the create and delete scripts in the
     * same atomic step as the sale's keys (outside the sale's slot: see docs/decisions.md).
     */
    public static final String REGISTRY = "fs:sales";
    /** Pub/sub channel of every sale's events (stock, state, persisted), one subscription per pod. */
    public static final String EVENTS_CHANNEL = "fs:events";
    /** Consumer group of the outbox relay on every sale's outbox stream. */
    public static final String RELAY_GROUP = "relay";

    public static SaleKeys of(String saleId) {
        return new SaleKeys(saleId);
    }

    private String key(String part) {
        return "fs:{" + saleId + "}:" + part;
    }

    /** Hash: the sale's spec, stock, sequences, recorded state and persisted count. */
    public String meta() { return key("meta"); }

    /** Hash: userId to {@code totalQty|lastPurchaseId}. */
    public String buyers() { return key("buyers"); }

    /** Hash: purchaseId to {@code qty|purchasedAtMillis|userId}. */
    public String purchases() { return key("purchases"); }

    /** Stream: purchases waiting to be relayed to Kafka. */
    public String outbox() { return key("outbox"); }

    /** Hash: {@code userId\nIdempotency-Key} to purchaseId. */
    public String idempotency() { return key("idem"); }

    /** Set: purchase ids committed in PostgreSQL. */
    public String persisted() { return key("persisted"); }

    /**
     * String: the sale's reconciliation lease, the name of the sale-api pod that checks the sale now
     * (SET NX PX; it expires by itself, so delete.lua need not remove it and it is not in {@link #all()}).
     */
    public String reconcileLease() { return key("reconcile"); }

    /** Hash (checkout): purchaseId to its hold record {@code status|atMillis|expiresAtMillis|paymentId}. */
    public String holds() { return key("holds"); }

    /** Sorted set (checkout): the open holds' purchase ids, scored by expiresAt (ms, Redis clock). */
    public String expiry() { return key("expiry"); }

    /** Hash (checkout): paymentId to the answer given to it, so that a payment repeated gets it again. */
    public String payments() { return key("payments"); }

    /** Every key of the sale, in the order delete.lua expects. */
    public List<String> all() {
        return List.of(meta(), buyers(), purchases(), outbox(), idempotency(), persisted(), holds(), expiry(), payments());
    }
}
