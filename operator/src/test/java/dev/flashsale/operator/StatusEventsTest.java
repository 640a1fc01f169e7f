package dev.flashsale.operator;

import static dev.flashsale.operator.FlashSaleStatusBuilderTest.applied;
import static dev.flashsale.operator.FlashSaleStatusBuilderTest.created;
import static dev.flashsale.operator.FlashSaleStatusBuilderTest.next;
import static dev.flashsale.operator.FlashSaleStatusBuilderTest.view;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.core.EndReason;
import dev.flashsale.core.SaleState;
import dev.flashsale.core.UpsertResult;
import dev.flashsale.operator.FlashSaleStatusBuilder.Outcome;
import dev.flashsale.operator.StatusEvents.Note;
import dev.flashsale.operator.StatusEvents.Type;
import dev.flashsale.operator.crd.FlashSaleStatus;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What {@code kubectl events --for fs/NAME} shows: phase changes, and each problem once. */
class StatusEventsTest {

    private static final Outcome UPDATED = applied(UpsertResult.Outcome.UPDATED);

    private static Outcome refused(String field) {
        return new Outcome.Upserted(new UpsertResult(UpsertResult.Outcome.REFUSED, null, null, field), 100);
    }

    @Test
    void eachPhaseChangeIsANormalEvent() {
        FlashSaleStatus upcoming = created();
        assertThat(StatusEvents.between(null, upcoming))
                .containsExactly(new Note(Type.Normal, "Upcoming", "phase - -> Upcoming: 100 of 100 units left"));
        FlashSaleStatus active = next(upcoming, UPDATED, view(SaleState.ACTIVE, null, 100, 0));
        assertThat(StatusEvents.between(upcoming, active))
                .containsExactly(new Note(Type.Normal, "Started", "phase Upcoming -> Active: 100 of 100 units left"));
        FlashSaleStatus paused = next(active, UPDATED, view(SaleState.PAUSED, null, 98, 0));
        assertThat(StatusEvents.between(active, paused)).extracting(Note::reason).containsExactly("Paused");
        FlashSaleStatus resumed = next(paused, UPDATED, view(SaleState.ACTIVE, null, 98, 0));
        assertThat(StatusEvents.between(paused, resumed)).extracting(Note::reason).containsExactly("Resumed");

        assertThat(StatusEvents.between(resumed, next(resumed, UPDATED, view(SaleState.ENDED, EndReason.SOLD_OUT, 0, 0))))
                .containsExactly(new Note(Type.Normal, "SoldOut", "phase Active -> Ended: 0 of 100 units left"));
        assertThat(StatusEvents.between(resumed, next(resumed, UPDATED, view(SaleState.ENDED, EndReason.TIME_EXPIRED, 40, 0))))
                .extracting(Note::reason).containsExactly("TimeExpired");
        assertThat(StatusEvents.between(upcoming, next(upcoming, UPDATED, view(SaleState.ENDED, EndReason.CANCELLED, 100, 0))))
                .extracting(Note::reason).containsExactly("Cancelled");
    }

    @Test
    void purchasesAndPersistenceAloneSayNothing() {
        FlashSaleStatus active = next(created(), UPDATED, view(SaleState.ACTIVE, null, 100, 0));
        FlashSaleStatus selling = next(active, UPDATED, view(SaleState.ACTIVE, null, 60, 10));
        assertThat(StatusEvents.between(active, selling)).isEmpty();
        assertThat(StatusEvents.between(selling, next(selling, UPDATED, view(SaleState.ACTIVE, null, 60, 40)))).isEmpty();
    }

    @Test
    void aProblemIsAWarningOnceUntilItChanges() {
        FlashSaleStatus active = next(created(), UPDATED, view(SaleState.ACTIVE, null, 90, 0));
        FlashSaleStatus refused = next(active, refused("initialStock"), view(SaleState.ACTIVE, null, 90, 0));
        assertThat(StatusEvents.between(active, refused)).singleElement()
                .returns(Type.Warning, Note::type).returns("ChangeRefused", Note::reason)
                .satisfies(n -> assertThat(n.message()).startsWith("initialStock cannot change"));
        FlashSaleStatus stillRefused = next(refused, refused("initialStock"), view(SaleState.ACTIVE, null, 85, 0));
        assertThat(StatusEvents.between(refused, stillRefused)).as("the same problem again").isEmpty();
        FlashSaleStatus otherField = next(stillRefused, refused("startTime"), view(SaleState.ACTIVE, null, 85, 0));
        assertThat(StatusEvents.between(stillRefused, otherField)).extracting(Note::reason).containsExactly("ChangeRefused");
        FlashSaleStatus missing = next(otherField, applied(UpsertResult.Outcome.SALE_NOT_FOUND), null);
        assertThat(StatusEvents.between(otherField, missing)).singleElement()
                .returns(Type.Warning, Note::type).returns("RedisKeysMissing", Note::reason);
        assertThat(StatusEvents.between(missing, next(missing, UPDATED, view(SaleState.ACTIVE, null, 85, 0))))
                .as("Ready again").isEmpty();
    }

    @Test
    void nameConflictsAndInvalidSpecsAreWarnings() {
        FlashSaleStatus conflict = FlashSaleStatusBuilder.build(null, 1, new Outcome.NameConflict("widget-drop", "shop"),
                Optional.empty(), FlashSaleStatusBuilderTest.T0);
        assertThat(StatusEvents.between(null, conflict)).singleElement()
                .returns(Type.Warning, Note::type).returns("NameConflict", Note::reason);
        assertThat(StatusEvents.between(conflict, next(conflict, new Outcome.NameConflict("widget-drop", "shop"), null)))
                .isEmpty();
        FlashSaleStatus invalid = next(null, new Outcome.InvalidSpec("productName: is blank"), null);
        assertThat(StatusEvents.between(null, invalid))
                .containsExactly(new Note(Type.Warning, "InvalidSpec", "productName: is blank"));
    }

    @Test
    void aDeletionWaitingForPersistenceIsToldOnceWhateverTheCounts() {
        FlashSaleStatus active = next(created(), UPDATED, view(SaleState.ACTIVE, null, 95, 0));
        FlashSaleStatus waiting = next(active, new Outcome.AwaitingPersistence(0, 5), view(SaleState.ENDED, EndReason.CANCELLED, 95, 0));
        assertThat(StatusEvents.between(active, waiting)).containsExactly(
                new Note(Type.Normal, "Cancelled", "phase Active -> Ended: 95 of 100 units left"),
                new Note(Type.Normal, "AwaitingPersistence", "deletion waits until every purchase is persisted: 0 of 5 units"));
        FlashSaleStatus later = next(waiting, new Outcome.AwaitingPersistence(3, 5), view(SaleState.ENDED, EndReason.CANCELLED, 95, 3));
        assertThat(StatusEvents.between(waiting, later)).isEmpty();
    }

    @Test
    void aFailedReconciliationIsNoEvent() {
        FlashSaleStatus active = next(created(), UPDATED, view(SaleState.ACTIVE, null, 95, 0));
        FlashSaleStatus failed = next(active, new Outcome.Failed("Redis is down"), null);
        assertThat(StatusEvents.between(active, failed)).isEmpty();
    }
}
