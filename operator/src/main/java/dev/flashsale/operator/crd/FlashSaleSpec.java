package dev.flashsale.operator.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.flashsale.core.SaleSpec;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * What the admin declares. Rules the API server can check on its own live here (schema and CEL);
 * the ones that need the clock (no initialStock/startTime/checkout change once started) are the operator's.
 * The limits are sale-core's {@link SaleSpec}, which checks them again before writing Redis.
 */
@ValidationRule(value = "timestamp(self.endTime) > timestamp(self.startTime)", message = "endTime must be after startTime")
public class FlashSaleSpec {

    /** RFC 3339 with an explicit offset, the form CEL's timestamp() and the operator both parse. */
    public static final String RFC3339 = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$";

    @Required
    @Pattern(SaleSpec.SKU_PATTERN)
    @ValidationRule(value = "self == oldSelf", message = "sku is immutable")
    @JsonPropertyDescription("Stock keeping unit: upper-case letters, digits and '-', immutable.")
    private String sku;

    @Required
    @Size(min = 1, max = SaleSpec.MAX_PRODUCT_NAME)
    @Pattern("\\S")
    @JsonPropertyDescription("Name shown to shoppers, 1.." + SaleSpec.MAX_PRODUCT_NAME + " characters, not blank.")
    private String productName;

    @Required
    @Min(1)
    @Max(SaleSpec.MAX_STOCK)
    @JsonPropertyDescription("Units for sale; cannot change once the sale has started.")
    private Long initialStock;

    @Required
    @Pattern(RFC3339)
    @JsonPropertyDescription("RFC 3339 instant the sale opens (inclusive); cannot change once the sale has started.")
    private String startTime;

    @Required
    @Pattern(RFC3339)
    @JsonPropertyDescription("RFC 3339 instant the sale closes (exclusive); after startTime.")
    private String endTime;

    @Min(1)
    @Max(SaleSpec.MAX_PER_USER_LIMIT)
    @Default("1")
    @JsonPropertyDescription("Units one shopper may buy in this sale, 1.." + SaleSpec.MAX_PER_USER_LIMIT + ".")
    private Integer perUserLimit;

    @Default("false")
    @JsonPropertyDescription("true rejects purchases with SALE_NOT_ACTIVE until set back to false.")
    private Boolean paused;

    @Default("false")
    @ValidationRule(value = "self || !oldSelf", message = "a cancelled sale cannot be resumed")
    @JsonPropertyDescription("true ends the sale now with endReason Cancelled; irreversible.")
    private Boolean cancelled;

    @JsonPropertyDescription("Purchases hold their units until paid; absent: a purchase is final at once."
            + " Cannot be added, changed or removed once the sale has started.")
    private Checkout checkout;

    @JsonPropertyDescription("Pre-scales the sale-api Deployment from startTime - leadTime until the sale ends.")
    private Scaling scaling;

    public String getSku() { return sku; }

    public void setSku(String sku) { this.sku = sku; }

    public String getProductName() { return productName; }

    public void setProductName(String productName) { this.productName = productName; }

    public Long getInitialStock() { return initialStock; }

    public void setInitialStock(Long initialStock) { this.initialStock = initialStock; }

    public String getStartTime() { return startTime; }

    public void setStartTime(String startTime) { this.startTime = startTime; }

    public String getEndTime() { return endTime; }

    public void setEndTime(String endTime) { this.endTime = endTime; }

    public Integer getPerUserLimit() { return perUserLimit; }

    public void setPerUserLimit(Integer perUserLimit) { this.perUserLimit = perUserLimit; }

    public Boolean getPaused() { return paused; }

    public void setPaused(Boolean paused) { this.paused = paused; }

    public Boolean getCancelled() { return cancelled; }

    public void setCancelled(Boolean cancelled) { this.cancelled = cancelled; }

    public Checkout getCheckout() { return checkout; }

    public void setCheckout(Checkout checkout) { this.checkout = checkout; }

    public Scaling getScaling() { return scaling; }

    public void setScaling(Scaling scaling) { this.scaling = scaling; }
}
