package dev.flashsale.operator;

import dev.flashsale.core.SaleState;
import dev.flashsale.core.SaleView;
import dev.flashsale.operator.crd.FlashSaleSpec;
import dev.flashsale.operator.crd.GoDuration;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * When a sale's reconciliation asks JOSDK to come back. A sale changes by itself at its boundaries by
 * the Redis clock (startTime - scaling.leadTime, startTime, endTime) and nothing announces them, so
 * the operator wakes up exactly then. Everything else reaches it as an event, with JOSDK's maximum
 * reconciliation interval as the safety net.
 */
final class WakeUps {

    /** Wake-ups aim this far past a boundary, so that the Redis clock has surely reached it. */
    static final Duration BOUNDARY_MARGIN = Duration.ofMillis(5);

    private WakeUps() {
    }

    /**
     * The delay until the sale's next boundary, counted from now, {@code elapsed} after {@code view}
     * was read. Empty once the sale has ended, and when the maximum interval comes first: that
     * reconciliation computes the delay again, and asking for a later one would replace it (JOSDK
     * schedules either the requested delay or the maximum interval, not both).
     */
    static Optional<Duration> rescheduleAfter(FlashSaleSpec spec, SaleView view, Duration elapsed,
                                              Optional<Duration> maxInterval) {
        if (view.state() == SaleState.ENDED) {
            return Optional.empty();
        }
        List<Instant> boundaries = new ArrayList<>(List.of(view.startTime(), view.endTime()));
        if (spec.getScaling() != null) {
            boundaries.add(view.startTime().minus(GoDuration.parse(Times.leadTime(spec.getScaling()))));
        }
        Instant now = view.serverTime();
        return boundaries.stream().filter(now::isBefore)
                .map(b -> Duration.between(now, b).plus(BOUNDARY_MARGIN).minus(elapsed))
                .min(Comparator.naturalOrder())
                .map(d -> d.isNegative() ? Duration.ZERO : d)
                .filter(d -> maxInterval.map(max -> d.compareTo(max) < 0).orElse(true));
    }
}
