package dev.flashsale.operator;

import dev.flashsale.core.SaleSpec;
import dev.flashsale.operator.crd.FlashSale;
import dev.flashsale.operator.crd.FlashSaleSpec;
import dev.flashsale.operator.crd.GoDuration;
import java.util.Objects;

/** A FlashSale as sale-core's {@link SaleSpec}: the resource's name is the sale id. */
final class SaleSpecs {

    private SaleSpecs() {
    }

    /**
     * No {@code checkout}: a sale without holds ({@code holdFor} null).
     *
     * @throws java.time.DateTimeException for a time the schema let through but Java cannot read
     * @throws IllegalArgumentException     for a checkout without a readable holdFor
     */
    static SaleSpec of(FlashSale sale) {
        FlashSaleSpec s = sale.getSpec();
        return new SaleSpec(sale.getMetadata().getName(), s.getSku(), s.getProductName(),
                Objects.requireNonNullElse(s.getInitialStock(), 0L), Objects.requireNonNullElse(s.getPerUserLimit(), 1),
                Times.parse(s.getStartTime()), Times.parse(s.getEndTime()),
                Boolean.TRUE.equals(s.getPaused()), Boolean.TRUE.equals(s.getCancelled()),
                s.getCheckout() == null ? null : GoDuration.parse(s.getCheckout().getHoldFor()));
    }
}
