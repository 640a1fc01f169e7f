package dev.flashsale.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.core.EndReason;
import dev.flashsale.core.SaleState;
import dev.flashsale.core.SaleView;
import dev.flashsale.operator.crd.FlashSale;
import dev.flashsale.operator.crd.Scaling;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When the operator wakes up and when a sale wants sale-api scaled, without a cluster. */
class TimingTest {

    private static final Instant START = Instant.parse("2030-02-15T10:00:00Z");
    private static final Instant END = Instant.parse("2030-02-15T10:30:00Z");
    private static final Duration MAX_INTERVAL = Duration.ofSeconds(60);
    private static final Duration MARGIN = WakeUps.BOUNDARY_MARGIN;

    private static FlashSale sale(String leadTime) {
        FlashSale sale = TestCluster.sale("shop", "widget-drop", 100, START, END);
        if (leadTime != null) {
            Scaling scaling = new Scaling();
            scaling.setReplicas(6);
            scaling.setLeadTime(leadTime);
            sale.getSpec().setScaling(scaling);
        }
        sale.getMetadata().setUid("uid-1");
        return sale;
    }

    private static SaleView view(SaleState state, Instant now) {
        return new SaleView("widget-drop", "SKU", "Widget", state, state == SaleState.ENDED ? EndReason.SOLD_OUT : null,
                100, 100, 0, 1, START, END, now, 1, 0, "", 0, null);
    }

    private static Optional<Duration> wakeUp(FlashSale sale, SaleView view) {
        return WakeUps.rescheduleAfter(sale.getSpec(), view, Duration.ZERO, Optional.of(MAX_INTERVAL));
    }

    @Test
    void wakesAtTheNextBoundaryByTheRedisClock() {
        FlashSale withLead = sale("5m");
        assertThat(wakeUp(withLead, view(SaleState.UPCOMING, START.minusSeconds(330)))).contains(Duration.ofSeconds(30).plus(MARGIN));
        assertThat(wakeUp(withLead, view(SaleState.UPCOMING, START.minusSeconds(20)))).contains(Duration.ofSeconds(20).plus(MARGIN));
        assertThat(wakeUp(withLead, view(SaleState.ACTIVE, END.minusMillis(1500)))).contains(Duration.ofMillis(1500).plus(MARGIN));
    }

    @Test
    void deductsTheTimeSpentSinceTheViewWasRead() {
        SaleView view = view(SaleState.UPCOMING, START.minusSeconds(20));
        assertThat(WakeUps.rescheduleAfter(sale(null).getSpec(), view, Duration.ofMillis(300), Optional.of(MAX_INTERVAL)))
                .contains(Duration.ofSeconds(20).plus(MARGIN).minusMillis(300));
        assertThat(WakeUps.rescheduleAfter(sale(null).getSpec(), view, Duration.ofSeconds(30), Optional.of(MAX_INTERVAL)))
                .as("a boundary passed meanwhile").contains(Duration.ZERO);
    }

    /** JOSDK schedules either the requested delay or its maximum interval: a later boundary must not displace the latter. */
    @Test
    void leavesABoundaryBeyondTheMaximumIntervalToThePeriodicReconciliationAndNeedsNoTimerOnceEnded() {
        FlashSale plain = sale(null);
        assertThat(wakeUp(plain, view(SaleState.UPCOMING, START.minusSeconds(3600)))).isEmpty();
        assertThat(wakeUp(plain, view(SaleState.ACTIVE, START.plusSeconds(1)))).isEmpty();
        assertThat(wakeUp(plain, view(SaleState.ENDED, START.plusSeconds(1)))).isEmpty();
        assertThat(WakeUps.rescheduleAfter(plain.getSpec(), view(SaleState.UPCOMING, START.minusSeconds(3600)),
                Duration.ZERO, Optional.empty())).as("no maximum interval").contains(Duration.ofSeconds(3600).plus(MARGIN));
    }

    @Test
    void scalingWindowRunsFromLeadTimeUntilTheEnd() {
        FlashSale sale = sale("5m");
        assertThat(SaleApiScaler.inWindow(sale, false, START.minusSeconds(301))).isFalse();
        assertThat(SaleApiScaler.inWindow(sale, false, START.minusSeconds(300))).isTrue();
        assertThat(SaleApiScaler.inWindow(sale, false, END.minusMillis(1))).isTrue();
        assertThat(SaleApiScaler.inWindow(sale, false, END)).isFalse();
        assertThat(SaleApiScaler.inWindow(sale, true, START)).as("sold out early").isFalse();
        sale.getSpec().setCancelled(true);
        assertThat(SaleApiScaler.inWindow(sale, false, START)).isFalse();
        assertThat(SaleApiScaler.inWindow(sale(null), false, START)).as("no scaling").isFalse();
    }
}
