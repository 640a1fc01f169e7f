package dev.flashsale.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What the operator observed in Redis; written by the operator only. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FlashSaleStatus {

    @JsonPropertyDescription("Upcoming, Active, Paused or Ended, by the Redis clock.")
    private Phase phase;
    @JsonPropertyDescription("Why an Ended sale ended; absent before.")
    private EndReason endReason;
    @JsonPropertyDescription("Units left.")
    private Long remainingStock;
    @JsonPropertyDescription("Units sold.")
    private Long sold;
    @JsonPropertyDescription("Units of the live purchases (held or confirmed) PostgreSQL holds with their current status.")
    private Long persisted;
    @JsonPropertyDescription("Units in open holds (sales with checkout; 0 without).")
    private Long held;
    @JsonPropertyDescription("Units paid for, or sold without checkout: sold - held.")
    private Long confirmed;
    @JsonPropertyDescription("The metadata.generation this status was computed for.")
    private Long observedGeneration;
    @JsonPropertyDescription("Ready, StockInitialized and PersistenceCaughtUp.")
    private List<Condition> conditions = new ArrayList<>();

    public enum Phase { Upcoming, Active, Paused, Ended }

    public enum EndReason { SoldOut, TimeExpired, Cancelled }

    public Phase getPhase() { return phase; }

    public void setPhase(Phase phase) { this.phase = phase; }

    public EndReason getEndReason() { return endReason; }

    public void setEndReason(EndReason endReason) { this.endReason = endReason; }

    public Long getRemainingStock() { return remainingStock; }

    public void setRemainingStock(Long remainingStock) { this.remainingStock = remainingStock; }

    public Long getSold() { return sold; }

    public void setSold(Long sold) { this.sold = sold; }

    public Long getPersisted() { return persisted; }

    public void setPersisted(Long persisted) { this.persisted = persisted; }

    public Long getHeld() { return held; }

    public void setHeld(Long held) { this.held = held; }

    public Long getConfirmed() { return confirmed; }

    public void setConfirmed(Long confirmed) { this.confirmed = confirmed; }

    public Long getObservedGeneration() { return observedGeneration; }

    public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }

    public List<Condition> getConditions() { return conditions; }

    public void setConditions(List<Condition> conditions) { this.conditions = conditions; }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlashSaleStatus s && phase == s.phase && endReason == s.endReason
                && Objects.equals(remainingStock, s.remainingStock) && Objects.equals(sold, s.sold)
                && Objects.equals(persisted, s.persisted) && Objects.equals(held, s.held)
                && Objects.equals(confirmed, s.confirmed) && Objects.equals(observedGeneration, s.observedGeneration)
                && Objects.equals(conditions, s.conditions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(phase, endReason, remainingStock, sold, persisted, held, confirmed, observedGeneration, conditions);
    }
}
