package dev.flashsale.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {

    private static final Instant T0 = Instant.parse("2026-02-15T10:00:00.123Z");
    private static final Instant T1 = T0.plusSeconds(60);

    @Test
    void transitionTimeMovesOnlyWhenTheStatusFlips() {
        List<Condition> first = Conditions.with(List.of(), Conditions.READY, true, "Applied", "ok", 1, T0);
        Condition ready = Conditions.find(first, Conditions.READY).orElseThrow();
        assertThat(ready.getLastTransitionTime()).isEqualTo("2026-02-15T10:00:00Z");
        assertThat(ready.getObservedGeneration()).isEqualTo(1);

        List<Condition> sameStatus = Conditions.with(first, Conditions.READY, true, "Applied", "still ok", 2, T1);
        assertThat(Conditions.find(sameStatus, Conditions.READY).orElseThrow())
                .returns("2026-02-15T10:00:00Z", Condition::getLastTransitionTime)
                .returns("still ok", Condition::getMessage)
                .returns(2L, Condition::getObservedGeneration);

        List<Condition> flipped = Conditions.with(sameStatus, Conditions.READY, false, "ChangeRefused", "no", 3, T1);
        assertThat(Conditions.find(flipped, Conditions.READY).orElseThrow().getLastTransitionTime())
                .isEqualTo("2026-02-15T10:01:00Z");
    }

    @Test
    void keepsAFixedOrderSoThatEqualSetsCompareEqual() {
        List<Condition> a = Conditions.with(List.of(), Conditions.PERSISTENCE_CAUGHT_UP, true, "CaughtUp", "", 1, T0);
        a = Conditions.with(a, Conditions.READY, true, "Applied", "", 1, T0);
        List<Condition> b = Conditions.with(List.of(), Conditions.READY, true, "Applied", "", 1, T0);
        b = Conditions.with(b, Conditions.PERSISTENCE_CAUGHT_UP, true, "CaughtUp", "", 1, T0);
        assertThat(a).isEqualTo(b);
        assertThat(a).extracting(Condition::getType).containsExactly(Conditions.READY, Conditions.PERSISTENCE_CAUGHT_UP);
        assertThat(Conditions.isTrue(a, Conditions.READY)).isTrue();
        assertThat(Conditions.isTrue(a, Conditions.STOCK_INITIALIZED)).isFalse();
    }
}
