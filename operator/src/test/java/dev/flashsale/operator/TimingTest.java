package dev.flashsale.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.core.EndReason;
import dev.flashsale.core.SaleState;
import dev.flashsale.core.SaleView;
import dev.flashsale.operator.crd.FlashSale;
import dev.flashsale.operator.crd.Scaling;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** When the operator wakes up and when a sale wants sale-api scaled, without a cluster. */
class TimingTest {

    private static final Instant START = Instant.parse("2030-02-15T10:00:00Z");
    private static final Instant END = Instant.parse("2030-02-15T10:30:00Z");
    private static final Duration RESYNC = Duration.ofSeconds(60);
    private static final Duration MARGIN = Duration.ofMillis(5);

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
                100, 100, 0, 1, START, END, now, 1, 0, "");
    }

    @Test
    void wakesAtTheNextBoundaryByTheRedisClock() {
        FlashSale withLead = sale("5m");
        assertThat(FlashSaleReconciler.nextWakeUp(withLead.getSpec(), view(SaleState.UPCOMING, START.minusSeconds(330)), RESYNC))
                .contains(Duration.ofSeconds(30).plus(MARGIN));
        assertThat(FlashSaleReconciler.nextWakeUp(withLead.getSpec(), view(SaleState.UPCOMING, START.minusSeconds(20)), RESYNC))
                .contains(Duration.ofSeconds(20).plus(MARGIN));
        assertThat(FlashSaleReconciler.nextWakeUp(withLead.getSpec(), view(SaleState.ACTIVE, END.minusMillis(1500)), RESYNC))
                .contains(Duration.ofMillis(1500).plus(MARGIN));
    }

    @Test
    void wakesAtLeastEveryResyncUntilTheEndAndNeverAfter() {
        FlashSale plain = sale(null);
        assertThat(FlashSaleReconciler.nextWakeUp(plain.getSpec(), view(SaleState.UPCOMING, START.minusSeconds(3600)), RESYNC))
                .contains(RESYNC);
        assertThat(FlashSaleReconciler.nextWakeUp(plain.getSpec(), view(SaleState.ACTIVE, START.plusSeconds(1)), RESYNC))
                .contains(RESYNC);
        assertThat(FlashSaleReconciler.nextWakeUp(plain.getSpec(), view(SaleState.ENDED, START.plusSeconds(1)), RESYNC))
                .isEmpty();
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
