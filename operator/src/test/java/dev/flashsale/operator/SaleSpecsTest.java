package dev.flashsale.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.core.SaleSpec;
import dev.flashsale.operator.crd.Checkout;
import dev.flashsale.operator.crd.FlashSale;
import dev.flashsale.operator.crd.GoDuration;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A FlashSale as the SaleSpec sale-core writes, checkout included. */
class SaleSpecsTest {

    private static final Instant START = Instant.parse("2030-02-15T10:00:00Z");
    private static final Instant END = Instant.parse("2030-02-15T10:30:00Z");

    private static FlashSale sale(String holdFor) {
        FlashSale sale = TestCluster.sale("shop", "widget-drop", 100, START, END);
        if (holdFor != null) {
            Checkout checkout = new Checkout();
            checkout.setHoldFor(holdFor);
            sale.getSpec().setCheckout(checkout);
        }
        return sale;
    }

    @Test
    void mapsTheSpec() {
        SaleSpec spec = SaleSpecs.of(sale(null));
        assertThat(spec).isEqualTo(new SaleSpec("widget-drop", "SKU-WIDGET-DROP", "Test widget-drop", 100, 1, START, END,
                false, false));
        assertThat(spec.holdFor()).as("no checkout").isNull();
    }

    @Test
    void checkoutHoldForIsAGoDuration() {
        assertThat(SaleSpecs.of(sale("10m")).holdFor()).isEqualTo(Duration.ofMinutes(10));
        assertThat(SaleSpecs.of(sale("1h30m")).holdFor()).isEqualTo(Duration.ofMinutes(90));
        assertThat(SaleSpecs.of(sale("90s")).holdFor()).isEqualTo(Duration.ofSeconds(90));
    }

    /** sale-core accepts whatever the API server lets through, and checks its own bounds again. */
    @Test
    void theSchemasBoundsAreWithinSaleCores() {
        assertThat(GoDuration.parse(Checkout.MIN_HOLD_FOR)).isGreaterThanOrEqualTo(SaleSpec.MIN_HOLD_FOR);
        assertThat(GoDuration.parse(Checkout.MAX_HOLD_FOR)).isLessThanOrEqualTo(SaleSpec.MAX_HOLD_FOR);
        assertThat(SaleSpecs.of(sale(Checkout.MIN_HOLD_FOR)).validate().isEmpty()).isTrue();
        assertThat(SaleSpecs.of(sale(Checkout.MAX_HOLD_FOR)).validate().isEmpty()).isTrue();
        assertThat(SaleSpecs.of(sale("0s")).validate().fields()).containsKey("checkout.holdFor");
        assertThat(SaleSpecs.of(sale("24h1s")).validate().fields()).containsKey("checkout.holdFor");
    }
}
