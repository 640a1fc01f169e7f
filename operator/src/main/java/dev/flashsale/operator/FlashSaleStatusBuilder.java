package dev.flashsale.operator;

import dev.flashsale.core.SaleView;
import dev.flashsale.core.UpsertResult;
import dev.flashsale.operator.crd.FlashSaleStatus;
import dev.flashsale.operator.crd.FlashSaleStatus.EndReason;
import dev.flashsale.operator.crd.FlashSaleStatus.Phase;
import dev.flashsale.operator.crd.GoDuration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Optional;

/**
 * A FlashSale's status as a pure function of the previous status, the generation reconciled, what
 * the reconciliation did ({@link Outcome}), the sale's {@link SaleView} when it was read, and the
 * time. What was not learnt this time (the counts when Redis was not read) is kept from before. No
 * I/O and no Events here: {@link StatusEvents} derives those from the difference.
 */
final class FlashSaleStatusBuilder {

    /** What one reconciliation did with the sale, which decides the Ready condition. */
    sealed interface Outcome {
        /** The FlashSale of that name in namespace {@code holderNamespace}, created earlier, owns the sale id. */
        record NameConflict(String saleId, String holderNamespace) implements Outcome {
        }

        /** What the schema cannot express, e.g. a productName of control characters only. */
        record InvalidSpec(String problem) implements Outcome {
        }

        /** sale-core's answer to the spec, whose initialStock is {@code initialStock}. */
        record Upserted(UpsertResult result, long initialStock) implements Outcome {
        }

        /** Being deleted while PostgreSQL has {@code persisted} of the {@code sold} units. */
        record AwaitingPersistence(long persisted, long sold) implements Outcome {
        }

        /** The reconciliation threw; JOSDK retries it. */
        record Failed(String message) implements Outcome {
        }
    }

    /** The field sale-core names when it refuses a change of the checkout window. */
    private static final String CHECKOUT_HOLD_FOR = "checkout.holdFor";

    private FlashSaleStatusBuilder() {
    }

    /** @param previous null before the first status */
    static FlashSaleStatus build(FlashSaleStatus previous, long generation, Outcome outcome, Optional<SaleView> view,
                                 Instant now) {
        FlashSaleStatus next = copy(previous == null ? new FlashSaleStatus() : previous);
        next.setObservedGeneration(generation);
        Draft draft = new Draft(next, generation, now);
        if (outcome instanceof Outcome.NameConflict c) {
            draft.notReady(Reasons.NAME_CONFLICT, "sale id " + c.saleId() + " is already used by FlashSale "
                    + c.holderNamespace() + "/" + c.saleId() + ", created earlier; sale ids are unique across namespaces."
                    + " Rename this one.");
        } else if (outcome instanceof Outcome.InvalidSpec i) {
            draft.notReady(Reasons.INVALID_SPEC, i.problem());
        } else if (outcome instanceof Outcome.Upserted u) {
            upserted(draft, u, view);
        } else if (outcome instanceof Outcome.AwaitingPersistence a) {
            draft.notReady(Reasons.AWAITING_PERSISTENCE,
                    "deletion waits until every purchase is persisted: " + a.persisted() + " of " + a.sold() + " units");
        } else if (outcome instanceof Outcome.Failed f) {
            draft.notReady(Reasons.RECONCILE_FAILED, f.message());
        }
        view.ifPresent(v -> observe(draft, v));
        return next;
    }

    private static void upserted(Draft draft, Outcome.Upserted u, Optional<SaleView> view) {
        switch (u.result().outcome()) {
            case CREATED, UPDATED -> {
                draft.set(Conditions.READY, true, Reasons.APPLIED, "spec applied to Redis");
                if (!Conditions.isTrue(draft.status.getConditions(), Conditions.STOCK_INITIALIZED)) {
                    draft.set(Conditions.STOCK_INITIALIZED, true, Reasons.INITIALIZED,
                            "stock initialised to " + u.initialStock() + " units");
                }
            }
            case REFUSED -> draft.notReady(Reasons.CHANGE_REFUSED, refusal(u.result().refusedField(), view));
            case SALE_NOT_FOUND -> draft.notReady(Reasons.REDIS_KEYS_MISSING, "the sale's keys are gone from Redis although"
                    + " its stock was initialised (Redis data lost?); the operator does not re-create them, which would"
                    + " sell the stock a second time. Restore Redis, or delete and re-create the FlashSale.");
        }
    }

    private static void observe(Draft draft, SaleView view) {
        FlashSaleStatus next = draft.status;
        next.setPhase(switch (view.state()) {
            case UPCOMING -> Phase.Upcoming;
            case ACTIVE -> Phase.Active;
            case PAUSED -> Phase.Paused;
            case ENDED -> Phase.Ended;
        });
        next.setEndReason(view.endReason() == null ? null : switch (view.endReason()) {
            case SOLD_OUT -> EndReason.SoldOut;
            case TIME_EXPIRED -> EndReason.TimeExpired;
            case CANCELLED -> EndReason.Cancelled;
        });
        next.setRemainingStock(view.stock());
        next.setSold(view.sold());
        next.setPersisted(view.persisted());
        next.setHeld(view.held());
        next.setConfirmed(view.confirmed());
        boolean caughtUp = view.persisted() >= view.sold();
        draft.set(Conditions.PERSISTENCE_CAUGHT_UP, caughtUp, caughtUp ? Reasons.CAUGHT_UP : Reasons.PERSISTING,
                view.persisted() + " of " + view.sold() + " sold units persisted in PostgreSQL");
    }

    private static String refusal(String field, Optional<SaleView> view) {
        String kept = view.map(v -> switch (field) {
            case "initialStock" -> " (kept: " + v.initialStock() + ")";
            case "startTime" -> " (kept: " + v.startTime() + ")";
            case "sku" -> " (kept: " + v.sku() + ")";
            case CHECKOUT_HOLD_FOR ->
                    " (kept: " + (v.holdFor() == null ? "no checkout" : GoDuration.format(v.holdFor())) + ")";
            default -> "";
        }).orElse("");
        String rule = switch (field) {
            case "initialStock", "startTime" -> field + " cannot change once the sale has started";
            // with "spec.": checkout.holdFor alone could be taken for one of sale-api's settings
            case CHECKOUT_HOLD_FOR -> "spec." + field + " cannot be added, changed or removed once the sale has started";
            case "cancelled" -> "a cancelled sale cannot be resumed";
            default -> field + " cannot change";
        };
        return rule + kept + "; the change was not applied (Redis untouched). Revert it to make the sale Ready again.";
    }

    private static FlashSaleStatus copy(FlashSaleStatus s) {
        FlashSaleStatus c = new FlashSaleStatus();
        c.setPhase(s.getPhase());
        c.setEndReason(s.getEndReason());
        c.setRemainingStock(s.getRemainingStock());
        c.setSold(s.getSold());
        c.setPersisted(s.getPersisted());
        c.setHeld(s.getHeld());
        c.setConfirmed(s.getConfirmed());
        c.setObservedGeneration(s.getObservedGeneration());
        c.setConditions(s.getConditions() == null ? new ArrayList<>() : new ArrayList<>(s.getConditions()));
        return c;
    }

    /** The status being built, and what its conditions are stamped with. */
    private record Draft(FlashSaleStatus status, long generation, Instant now) {
        void set(String type, boolean value, String reason, String message) {
            status.setConditions(Conditions.with(status.getConditions(), type, value, reason, message, generation, now));
        }

        void notReady(String reason, String message) {
            set(Conditions.READY, false, reason, message);
        }
    }
}
