package dev.flashsale.operator.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Checkout of one sale: a purchase holds its units until it is paid or its hold expires. */
public class Checkout {

    /** The contract's bounds, within the ones sale-core checks again ({@link dev.flashsale.core.SaleSpec#MIN_HOLD_FOR}). */
    public static final String MIN_HOLD_FOR = "1m";
    public static final String MAX_HOLD_FOR = "24h";

    @Required
    @Pattern(GoDuration.PATTERN)
    @Size(max = 32)
    @ValidationRule(value = "duration(self) >= duration('" + MIN_HOLD_FOR + "') && duration(self) <= duration('"
            + MAX_HOLD_FOR + "')", message = "holdFor must be between " + MIN_HOLD_FOR + " and " + MAX_HOLD_FOR)
    @JsonPropertyDescription("How long a purchase holds its units until paid, " + MIN_HOLD_FOR + ".." + MAX_HOLD_FOR
            + ", e.g. 10m, 90s, 1h30m; cannot change once the sale has started.")
    private String holdFor;

    public String getHoldFor() { return holdFor; }

    public void setHoldFor(String holdFor) { this.holdFor = holdFor; }
}
