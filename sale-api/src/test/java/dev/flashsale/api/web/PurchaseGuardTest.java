package dev.flashsale.api.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.api.config.FlashsaleProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** What the rate limiter keeps per shopper is bounded by time and by memory, whatever the crowd. */
class PurchaseGuardTest {

    private static PurchaseGuard guard(Map<String, String> properties) {
        FlashsaleProperties props = new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("flashsale", FlashsaleProperties.class);
        return new PurchaseGuard(props, new SimpleMeterRegistry());
    }

    @Test
    void aBucketIsForgottenOnceItHasRefilledAndBehavesAsNewAfterwards() throws Exception {
        // capacity 2 at 2/s: an emptied bucket is full again after a second
        PurchaseGuard guard = guard(Map.of("flashsale.rate-limit.per-user.enabled", "true",
                "flashsale.rate-limit.per-user.capacity", "2", "flashsale.rate-limit.per-user.refill-per-second", "2"));
        for (int i = 0; i < 2_000; i++) {
            assertThat(guard.limitShopper("shopper-" + i)).isNull();
        }
        assertThat(guard.trackedBuckets()[1]).isPositive();
        assertThat(guard.limitShopper("hammer")).isNull();
        assertThat(guard.limitShopper("hammer")).isNull();
        ApiError limited = guard.limitShopper("hammer");
        assertThat(limited).isNotNull();
        assertThat(limited.code()).isEqualTo("RATE_LIMITED");

        Thread.sleep(1_500);
        assertThat(guard.trackedBuckets()[1]).as("buckets left after a full refill period").isZero();
        // forgetting it changed nothing for the shopper: a full bucket again
        assertThat(guard.limitShopper("hammer")).isNull();
        assertThat(guard.limitShopper("hammer")).isNull();
        assertThat(guard.limitShopper("hammer")).isNotNull();
    }

    @Test
    void allBucketsTogetherStayWithinTheMemoryBudget() {
        // a slow refill keeps every bucket alive: only the budget bounds them
        PurchaseGuard guard = guard(Map.of("flashsale.rate-limit.per-user.enabled", "true",
                "flashsale.rate-limit.per-user.capacity", "1000", "flashsale.rate-limit.per-user.refill-per-second", "1",
                "flashsale.rate-limit.max-memory", "1MB"));
        for (int i = 0; i < 200_000; i++) {
            guard.limitShopper("a-shopper-with-a-long-id-" + i);
        }
        long held = guard.trackedBuckets()[1];
        long perBucket = 320 + 2 * "a-shopper-with-a-long-id-199999".length();
        assertThat(held).isPositive().isLessThanOrEqualTo(1024 * 1024 / perBucket);
    }

    @Test
    void aLimiterThatIsOffKeepsNothing() {
        PurchaseGuard guard = guard(Map.of("flashsale.rate-limit.per-ip.enabled", "false",
                "flashsale.rate-limit.per-user.enabled", "false"));
        for (int i = 0; i < 1_000; i++) {
            assertThat(guard.limitClient("10.0.0." + (i % 250))).isNull();
            assertThat(guard.limitShopper("s-" + i)).isNull();
        }
        assertThat(guard.trackedBuckets()).containsExactly(0, 0);
    }
}
