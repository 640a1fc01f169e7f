package dev.flashsale.operator.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Pre-scaling of sale-api for one sale. */
public class Scaling {

    public static final String MAX_LEAD_TIME = "24h";

    @Required
    @Min(1)
    @Max(1000)
    @JsonPropertyDescription("Replicas of the sale-api Deployment while the sale is near or running.")
    private Integer replicas;

    @Default("5m")
    @Pattern(GoDuration.PATTERN)
    @Size(max = 32)
    // bounded so that startTime - leadTime can never overflow (and CEL's cost stays small)
    @ValidationRule(value = "duration(self) <= duration('" + MAX_LEAD_TIME + "')",
            message = "leadTime must be at most " + MAX_LEAD_TIME)
    @JsonPropertyDescription("How long before startTime to scale up, e.g. 5m, 90s, 1h30m.")
    private String leadTime;

    public Integer getReplicas() { return replicas; }

    public void setReplicas(Integer replicas) { this.replicas = replicas; }

    public String getLeadTime() { return leadTime; }

    public void setLeadTime(String leadTime) { this.leadTime = leadTime; }
}
