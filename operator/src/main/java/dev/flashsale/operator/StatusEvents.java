package dev.flashsale.operator;

import dev.flashsale.operator.crd.FlashSaleStatus;
import dev.flashsale.operator.crd.FlashSaleStatus.EndReason;
import dev.flashsale.operator.crd.FlashSaleStatus.Phase;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The Events a status change is worth, derived from the status before and after it: a reconciliation
 * that changes nothing says nothing, and a problem is told once, not on every reconciliation.
 */
final class StatusEvents {

    enum Type { Normal, Warning }

    record Note(Type type, String reason, String message) {
    }

    private StatusEvents() {
    }

    /** @param before null before the first status */
    static List<Note> between(FlashSaleStatus before, FlashSaleStatus after) {
        List<Note> notes = new ArrayList<>();
        Phase from = before == null ? null : before.getPhase();
        if (after.getPhase() != null && after.getPhase() != from) {
            notes.add(new Note(Type.Normal, phaseReason(from, after.getPhase(), after.getEndReason()),
                    "phase " + (from == null ? "-" : from) + " -> " + after.getPhase() + ": " + after.getRemainingStock()
                            + " of " + (after.getRemainingStock() + after.getSold()) + " units left"));
        }
        Optional<Condition> was = Conditions.find(before == null ? null : before.getConditions(), Conditions.READY);
        Conditions.find(after.getConditions(), Conditions.READY).filter(c -> "False".equals(c.getStatus()))
                .flatMap(ready -> notReady(was, ready)).ifPresent(notes::add);
        return notes;
    }

    private static Optional<Note> notReady(Optional<Condition> was, Condition ready) {
        boolean sameReason = was.map(c -> "False".equals(c.getStatus()) && ready.getReason().equals(c.getReason()))
                .orElse(false);
        return switch (ready.getReason()) {
            // its message follows the persisted count: once per deletion
            case Reasons.AWAITING_PERSISTENCE -> sameReason ? Optional.empty()
                    : Optional.of(new Note(Type.Normal, ready.getReason(), ready.getMessage()));
            // retried with back-off, its message changing with each attempt: the log and metrics tell
            case Reasons.RECONCILE_FAILED -> Optional.empty();
            default -> sameReason && was.get().getMessage().equals(ready.getMessage()) ? Optional.empty()
                    : Optional.of(new Note(Type.Warning, ready.getReason(), ready.getMessage()));
        };
    }

    private static String phaseReason(Phase from, Phase to, EndReason endReason) {
        return switch (to) {
            case Upcoming -> Reasons.UPCOMING;
            case Active -> from == Phase.Paused ? Reasons.RESUMED : Reasons.STARTED;
            case Paused -> Reasons.PAUSED;
            case Ended -> switch (endReason) {
                case SoldOut -> Reasons.SOLD_OUT;
                case TimeExpired -> Reasons.TIME_EXPIRED;
                case Cancelled -> Reasons.CANCELLED;
            };
        };
    }
}
