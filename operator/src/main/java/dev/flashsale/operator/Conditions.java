package dev.flashsale.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The FlashSale's conditions, following the Kubernetes API conventions: lastTransitionTime changes
 * only when a condition's status flips, so a changed message or reason alone keeps it.
 */
public final class Conditions {

    public static final String READY = "Ready";
    public static final String STOCK_INITIALIZED = "StockInitialized";
    public static final String PERSISTENCE_CAUGHT_UP = "PersistenceCaughtUp";
    private static final List<String> ORDER = List.of(READY, STOCK_INITIALIZED, PERSISTENCE_CAUGHT_UP);

    private Conditions() {
    }

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions == null ? Optional.empty()
                : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        return find(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
    }

    /** A copy of {@code conditions} with {@code type} set; kept in a fixed order so that equal sets compare equal. */
    public static List<Condition> with(List<Condition> conditions, String type, boolean status, String reason,
                                       String message, long generation, Instant now) {
        String value = status ? "True" : "False";
        String since = find(conditions, type).filter(c -> value.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime)
                .orElseGet(() -> now.truncatedTo(ChronoUnit.SECONDS).toString());
        List<Condition> result = new ArrayList<>(conditions == null ? List.of()
                : conditions.stream().filter(c -> !type.equals(c.getType())).toList());
        result.add(new ConditionBuilder().withType(type).withStatus(value).withReason(reason).withMessage(message)
                .withLastTransitionTime(since).withObservedGeneration(generation).build());
        result.sort(Comparator.comparingInt(c -> ORDER.indexOf(c.getType())));
        return result;
    }
}
