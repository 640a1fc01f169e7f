package dev.flashsale.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.core.EndReason;
import dev.flashsale.core.SaleState;
import dev.flashsale.core.SaleView;
import dev.flashsale.core.UpsertResult;
import dev.flashsale.operator.FlashSaleStatusBuilder.Outcome;
import dev.flashsale.operator.crd.FlashSaleStatus;
import dev.flashsale.operator.crd.FlashSaleStatus.Phase;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The status an admin reads in {@code kubectl get/describe fs}, for each thing a reconciliation can learn. */
class FlashSaleStatusBuilderTest {

    static final Instant START = Instant.parse("2030-02-15T10:00:00Z");
    static final Instant END = Instant.parse("2030-02-15T10:30:00Z");
    static final Instant T0 = START.minusSeconds(600);
    static final Instant T1 = T0.plusSeconds(60);

    static SaleView view(SaleState state, EndReason endReason, long stock, long persisted) {
        return new SaleView("widget-drop", "SKU-1", "Widget", state, endReason, 100, stock, 100 - stock, 1, START, END,
                T0, 7, persisted, "");
    }

    static Outcome applied(UpsertResult.Outcome outcome) {
        return new Outcome.Upserted(new UpsertResult(outcome, null, null, null), 100);
    }

    static FlashSaleStatus created() {
        return FlashSaleStatusBuilder.build(null, 1, applied(UpsertResult.Outcome.CREATED),
                Optional.of(view(SaleState.UPCOMING, null, 100, 0)), T0);
    }

    static FlashSaleStatus next(FlashSaleStatus previous, Outcome outcome, SaleView view) {
        return FlashSaleStatusBuilder.build(previous, 1, outcome, Optional.ofNullable(view), T1);
    }

    static Condition condition(FlashSaleStatus status, String type) {
        return Conditions.find(status.getConditions(), type).orElseThrow();
    }

    @Test
    void aNewSaleIsUpcomingReadyAndInitialised() {
        FlashSaleStatus status = created();
        assertThat(status.getPhase()).isEqualTo(Phase.Upcoming);
        assertThat(status.getEndReason()).isNull();
        assertThat(status.getRemainingStock()).isEqualTo(100);
        assertThat(status.getSold()).isZero();
        assertThat(status.getPersisted()).isZero();
        assertThat(status.getObservedGeneration()).isEqualTo(1);
        assertThat(condition(status, Conditions.READY))
                .returns("True", Condition::getStatus).returns(Reasons.APPLIED, Condition::getReason);
        assertThat(condition(status, Conditions.STOCK_INITIALIZED))
                .returns("True", Condition::getStatus).returns(Reasons.INITIALIZED, Condition::getReason)
                .returns("stock initialised to 100 units", Condition::getMessage);
        assertThat(condition(status, Conditions.PERSISTENCE_CAUGHT_UP))
                .returns("True", Condition::getStatus).returns(Reasons.CAUGHT_UP, Condition::getReason);
    }

    @Test
    void followsThePhasesOfTheView() {
        FlashSaleStatus active = next(created(), applied(UpsertResult.Outcome.UPDATED), view(SaleState.ACTIVE, null, 97, 1));
        assertThat(active.getPhase()).isEqualTo(Phase.Active);
        assertThat(active.getRemainingStock()).isEqualTo(97);
        assertThat(active.getSold()).isEqualTo(3);
        assertThat(active.getPersisted()).isEqualTo(1);
        assertThat(condition(active, Conditions.PERSISTENCE_CAUGHT_UP))
                .returns("False", Condition::getStatus).returns(Reasons.PERSISTING, Condition::getReason)
                .returns("1 of 3 sold units persisted in PostgreSQL", Condition::getMessage);

        FlashSaleStatus paused = next(active, applied(UpsertResult.Outcome.UPDATED), view(SaleState.PAUSED, null, 97, 3));
        assertThat(paused.getPhase()).isEqualTo(Phase.Paused);
        assertThat(condition(paused, Conditions.PERSISTENCE_CAUGHT_UP).getStatus()).isEqualTo("True");

        for (EndReason reason : EndReason.values()) {
            FlashSaleStatus ended = next(paused, applied(UpsertResult.Outcome.UPDATED), view(SaleState.ENDED, reason, 0, 0));
            assertThat(ended.getPhase()).isEqualTo(Phase.Ended);
            assertThat(ended.getEndReason().name()).isEqualTo(switch (reason) {
                case SOLD_OUT -> "SoldOut";
                case TIME_EXPIRED -> "TimeExpired";
                case CANCELLED -> "Cancelled";
            });
        }
    }

    @Test
    void stockIsInitialisedOnceAndReadinessKeepsItsTransitionTime() {
        FlashSaleStatus first = created();
        FlashSaleStatus again = next(first, applied(UpsertResult.Outcome.UPDATED), view(SaleState.UPCOMING, null, 100, 0));
        assertThat(again).isEqualTo(first).isNotSameAs(first);
        assertThat(condition(again, Conditions.READY).getLastTransitionTime()).isEqualTo(T0.toString());
    }

    @Test
    void aRefusedChangeIsNotReadyAndNamesWhatWasKept() {
        FlashSaleStatus refused = next(created(),
                new Outcome.Upserted(new UpsertResult(UpsertResult.Outcome.REFUSED, null, null, "initialStock"), 50),
                view(SaleState.ACTIVE, null, 99, 0));
        assertThat(condition(refused, Conditions.READY))
                .returns("False", Condition::getStatus).returns(Reasons.CHANGE_REFUSED, Condition::getReason)
                .returns(T1.toString(), Condition::getLastTransitionTime);
        assertThat(condition(refused, Conditions.READY).getMessage())
                .startsWith("initialStock cannot change once the sale has started (kept: 100)");
        assertThat(refused.getPhase()).as("the view still counts").isEqualTo(Phase.Active);
        assertThat(refused.getSold()).isEqualTo(1);
        assertThat(condition(refused, Conditions.STOCK_INITIALIZED).getStatus()).isEqualTo("True");

        FlashSaleStatus cancelled = next(created(),
                new Outcome.Upserted(new UpsertResult(UpsertResult.Outcome.REFUSED, null, null, "cancelled"), 100),
                view(SaleState.ENDED, EndReason.CANCELLED, 100, 0));
        assertThat(condition(cancelled, Conditions.READY).getMessage()).startsWith("a cancelled sale cannot be resumed;");
    }

    @Test
    void lostKeysAreNotReadyAndTheLastCountsStay() {
        FlashSaleStatus active = next(created(), applied(UpsertResult.Outcome.UPDATED), view(SaleState.ACTIVE, null, 90, 10));
        FlashSaleStatus missing = next(active, applied(UpsertResult.Outcome.SALE_NOT_FOUND), null);
        assertThat(condition(missing, Conditions.READY))
                .returns("False", Condition::getStatus).returns(Reasons.REDIS_KEYS_MISSING, Condition::getReason);
        assertThat(missing.getPhase()).isEqualTo(Phase.Active);
        assertThat(missing.getSold()).isEqualTo(10);
        assertThat(condition(missing, Conditions.STOCK_INITIALIZED).getStatus()).isEqualTo("True");
    }

    @Test
    void aNameConflictOrAnInvalidSpecNeverTouchedRedis() {
        FlashSaleStatus conflict = FlashSaleStatusBuilder.build(null, 1,
                new Outcome.NameConflict("widget-drop", "shop"), Optional.empty(), T0);
        assertThat(condition(conflict, Conditions.READY))
                .returns("False", Condition::getStatus).returns(Reasons.NAME_CONFLICT, Condition::getReason)
                .returns("sale id widget-drop is already used by FlashSale shop/widget-drop, created earlier; sale ids"
                        + " are unique across namespaces. Rename this one.", Condition::getMessage);
        assertThat(conflict.getConditions()).hasSize(1);
        assertThat(conflict.getPhase()).isNull();

        FlashSaleStatus invalid = FlashSaleStatusBuilder.build(null, 2, new Outcome.InvalidSpec("productName: is blank"),
                Optional.empty(), T0);
        assertThat(condition(invalid, Conditions.READY))
                .returns(Reasons.INVALID_SPEC, Condition::getReason).returns("productName: is blank", Condition::getMessage);
        assertThat(invalid.getObservedGeneration()).isEqualTo(2);
    }

    @Test
    void aDeletionWaitsForPersistence() {
        FlashSaleStatus waiting = next(created(), new Outcome.AwaitingPersistence(3, 5),
                view(SaleState.ENDED, EndReason.CANCELLED, 95, 3));
        assertThat(waiting.getPhase()).isEqualTo(Phase.Ended);
        assertThat(waiting.getEndReason()).isEqualTo(FlashSaleStatus.EndReason.Cancelled);
        assertThat(condition(waiting, Conditions.READY))
                .returns("False", Condition::getStatus).returns(Reasons.AWAITING_PERSISTENCE, Condition::getReason)
                .returns("deletion waits until every purchase is persisted: 3 of 5 units", Condition::getMessage);
    }

    @Test
    void aFailureChangesOnlyReadiness() {
        FlashSaleStatus before = created();
        FlashSaleStatus failed = FlashSaleStatusBuilder.build(before, 2, new Outcome.Failed("Redis is down"),
                Optional.empty(), T1);
        assertThat(condition(failed, Conditions.READY))
                .returns("False", Condition::getStatus).returns(Reasons.RECONCILE_FAILED, Condition::getReason)
                .returns("Redis is down", Condition::getMessage);
        assertThat(failed.getObservedGeneration()).isEqualTo(2);
        assertThat(failed.getPhase()).isEqualTo(before.getPhase());
        assertThat(failed.getRemainingStock()).isEqualTo(before.getRemainingStock());
        assertThat(condition(before, Conditions.READY).getStatus()).as("the previous status is left as it was").isEqualTo("True");
    }
}
