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
import java.time.Duration;
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
        return view(state, endReason, stock, persisted, 0, null);
    }

    /** With checkout ({@code holdFor}), {@code held} of the sold units in open holds. */
    static SaleView view(SaleState state, EndReason endReason, long stock, long persisted, long held, Duration holdFor) {
        return new SaleView("widget-drop", "SKU-1", "Widget", state, endReason, 100, stock, 100 - stock, 1, START, END,
                T0, 7, persisted, "", held, holdFor);
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
        assertThat(status.getHeld()).isZero();
        assertThat(status.getConfirmed()).isZero();
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
        assertThat(active.getHeld()).as("no checkout").isZero();
        assertThat(active.getConfirmed()).isEqualTo(3);
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
    void withCheckoutSoldIsHeldPlusConfirmed() {
        Duration holdFor = Duration.ofMinutes(10);
        FlashSaleStatus holding = next(created(), applied(UpsertResult.Outcome.UPDATED),
                view(SaleState.ACTIVE, null, 90, 10, 4, holdFor));
        assertThat(holding.getRemainingStock()).isEqualTo(90);
        assertThat(holding.getSold()).isEqualTo(10);
        assertThat(holding.getHeld()).isEqualTo(4);
        assertThat(holding.getConfirmed()).isEqualTo(6);

        // a payment moves a unit from held to confirmed and leaves stock and sold alone: still a new status
        FlashSaleStatus paid = next(holding, applied(UpsertResult.Outcome.UPDATED),
                view(SaleState.ACTIVE, null, 90, 10, 3, holdFor));
        assertThat(paid).isNotEqualTo(holding);
        assertThat(paid.getHeld()).isEqualTo(3);
        assertThat(paid.getConfirmed()).isEqualTo(7);

        FlashSaleStatus failed = FlashSaleStatusBuilder.build(paid, 1, new Outcome.Failed("Redis is down"),
                Optional.empty(), T1);
        assertThat(failed.getHeld()).as("kept while Redis is not read").isEqualTo(3);
        assertThat(failed.getConfirmed()).isEqualTo(7);
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
    void aRefusedCheckoutChangeNamesTheFieldAndTheWindowKept() {
        Outcome refusal = new Outcome.Upserted(new UpsertResult(UpsertResult.Outcome.REFUSED, null, null, "checkout.holdFor"), 100);
        FlashSaleStatus changed = next(created(), refusal, view(SaleState.ACTIVE, null, 99, 0, 1, Duration.ofMinutes(90)));
        assertThat(condition(changed, Conditions.READY))
                .returns("False", Condition::getStatus).returns(Reasons.CHANGE_REFUSED, Condition::getReason)
                .returns("spec.checkout.holdFor cannot be added, changed or removed once the sale has started (kept: 1h30m);"
                        + " the change was not applied (Redis untouched). Revert it to make the sale Ready again.",
                        Condition::getMessage);
        assertThat(changed.getHeld()).as("the view still counts").isEqualTo(1);

        FlashSaleStatus added = next(created(), refusal, view(SaleState.ACTIVE, null, 99, 0));
        assertThat(condition(added, Conditions.READY).getMessage())
                .startsWith("spec.checkout.holdFor cannot be added, changed or removed once the sale has started (kept: no checkout);");
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
