package dev.flashsale.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.core.SaleState;
import dev.flashsale.core.SaleView;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The per-sale gauges the dashboard draws, following the last view read. */
class SaleMetricsTest {

    private static final Instant START = Instant.parse("2030-02-15T10:00:00Z");

    private static SaleView view(long stock, long held) {
        return new SaleView("widget-drop", "SKU-1", "Widget", SaleState.ACTIVE, null, 100, stock, 100 - stock, 1, START,
                START.plusSeconds(1800), START, 7, 2, "", held, Duration.ofMinutes(10));
    }

    private static double gauge(MeterRegistry registry, String name) {
        return registry.get(name).tag("sale", "widget-drop").gauge().value();
    }

    @Test
    void followsTheLastViewAndGoesWithTheSale() {
        MeterRegistry registry = new SimpleMeterRegistry();
        SaleMetrics metrics = new SaleMetrics(registry);
        metrics.observe(view(90, 4));
        assertThat(gauge(registry, "flashsale.sale.remaining.stock")).isEqualTo(90);
        assertThat(gauge(registry, "flashsale.sale.sold")).isEqualTo(10);
        assertThat(gauge(registry, "flashsale.sale.persisted")).isEqualTo(2);
        assertThat(gauge(registry, "flashsale.sale.held")).isEqualTo(4);
        assertThat(gauge(registry, "flashsale.sale.confirmed")).isEqualTo(6);

        metrics.observe(view(90, 1));
        assertThat(gauge(registry, "flashsale.sale.held")).isEqualTo(1);
        assertThat(gauge(registry, "flashsale.sale.confirmed")).isEqualTo(9);

        metrics.forget("widget-drop");
        assertThat(registry.find("flashsale.sale.held").gauges()).isEmpty();
        assertThat(registry.getMeters()).isEmpty();
    }
}
