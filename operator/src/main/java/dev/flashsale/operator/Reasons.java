package dev.flashsale.operator;

/**
 * The reasons of the FlashSale's conditions and Events, in one place: admins, alerts and runbooks
 * (docs/operator.md, docs/operations.md) match on these words, so they are a contract.
 */
public final class Reasons {

    // Ready: True
    public static final String APPLIED = "Applied";
    // Ready: False, each with a Warning Event when it is news, except where noted
    public static final String NAME_CONFLICT = "NameConflict";
    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String CHANGE_REFUSED = "ChangeRefused";
    public static final String REDIS_KEYS_MISSING = "RedisKeysMissing";
    /** Being deleted; a Normal Event once. */
    public static final String AWAITING_PERSISTENCE = "AwaitingPersistence";
    /** An exception, retried with back-off; no Event (the operator's log and metrics tell). */
    public static final String RECONCILE_FAILED = "ReconcileFailed";

    // StockInitialized
    public static final String INITIALIZED = "Initialized";

    // PersistenceCaughtUp
    public static final String CAUGHT_UP = "CaughtUp";
    public static final String PERSISTING = "Persisting";

    // Normal Events of phase changes
    public static final String UPCOMING = "Upcoming";
    public static final String STARTED = "Started";
    public static final String PAUSED = "Paused";
    public static final String RESUMED = "Resumed";
    public static final String SOLD_OUT = "SoldOut";
    public static final String TIME_EXPIRED = "TimeExpired";
    public static final String CANCELLED = "Cancelled";

    // Normal Events of what the operator did besides the status
    public static final String SCALED_UP = "ScaledUp";
    public static final String SCALED_DOWN = "ScaledDown";
    public static final String KEYS_DELETED = "KeysDeleted";

    private Reasons() {
    }
}
