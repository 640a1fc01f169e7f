package dev.flashsale.api.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

/** Stream admission: caps per client and per pod, and state that never outgrows the open streams. */
class StreamLimitsTest {

    @Test
    void theClientCapAnswers429AndThePodCap503BothWithRetryAfter() {
        StreamLimits limits = new StreamLimits(2, 3);
        StreamLimits.Slot a1 = limits.admit("a");
        limits.admit("a");
        assertThatThrownBy(() -> limits.admit("a")).isInstanceOfSatisfying(ApiError.class, e -> {
            assertThat(e.status()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
            assertThat(e.code()).isEqualTo("RATE_LIMITED");
            assertThat(e.body()).extractingByKey("error").asString().contains("retryAfter=");
        });
        limits.admit("b");
        assertThatThrownBy(() -> limits.admit("c")).isInstanceOfSatisfying(ApiError.class, e -> {
            assertThat(e.status()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
            assertThat(e.code()).isEqualTo("SERVICE_UNAVAILABLE");
        });
        // refusals took nothing
        assertThat(limits.open()).isEqualTo(3);
        assertThat(limits.clients()).isEqualTo(2);
        a1.release();
        a1.release(); // idempotent
        assertThat(limits.open()).isEqualTo(2);
        limits.admit("c");
        assertThat(limits.clients()).isEqualTo(3);
    }

    @Test
    void aClientsEntryLeavesWithItsLastStream() {
        StreamLimits limits = new StreamLimits(16, 100_000);
        List<StreamLimits.Slot> slots = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            slots.add(limits.admit("client-" + i));
            slots.add(limits.admit("client-" + i));
        }
        assertThat(limits.clients()).isEqualTo(10_000);
        assertThat(limits.open()).isEqualTo(20_000);
        slots.forEach(StreamLimits.Slot::release);
        assertThat(limits.clients()).isZero();
        assertThat(limits.open()).isZero();
    }

    /** Many clients coming and going concurrently: the map never holds more entries than open streams. */
    @Test
    void theStateIsBoundedByOpenStreamsUnderConcurrentChurn() {
        int maxPerPod = 500;
        StreamLimits limits = new StreamLimits(4, maxPerPod);
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger worst = new AtomicInteger();
        IntStream.range(0, 8).parallel().forEach(t -> {
            List<StreamLimits.Slot> mine = new ArrayList<>();
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int i = 0; i < 50_000; i++) {
                // admissions outnumber releases, so the pod cap is certainly reached and refuses
                if (mine.isEmpty() || random.nextInt(10) < 6) {
                    try {
                        mine.add(limits.admit("c" + random.nextInt(5_000)));
                    } catch (ApiError e) {
                        refused.incrementAndGet();
                    }
                } else {
                    mine.remove(random.nextInt(mine.size())).release();
                }
                worst.accumulateAndGet(limits.clients(), Math::max);
            }
            mine.forEach(StreamLimits.Slot::release);
        });
        // (an admission in progress holds an entry for a moment before the pod's cap refuses it: one per thread)
        assertThat(worst.get()).isLessThanOrEqualTo(maxPerPod + 8);
        assertThat(limits.clients()).isZero();
        assertThat(limits.open()).isZero();
        assertThat(refused.get()).isPositive();
    }
}
