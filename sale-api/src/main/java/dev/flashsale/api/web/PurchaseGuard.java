package dev.flashsale.api.web;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.flashsale.api.config.FlashsaleProperties;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Admission of purchases: token buckets per client IP and per user (Bucket4j, in memory per pod),
 * and load shedding (a bound on purchases in flight, answered 503 at once beyond it).
 */
@Component
public class PurchaseGuard {

    private final Limiter perIp;
    private final Limiter perUser;
    private final int maxInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();

    public PurchaseGuard(FlashsaleProperties props, MeterRegistry registry) {
        FlashsaleProperties.RateLimit rl = props.rateLimit();
        this.perIp = rl.perIp().enabled() ? new Limiter(rl.perIp(), rl.maxTrackedClients()) : null;
        this.perUser = rl.perUser().enabled() ? new Limiter(rl.perUser(), rl.maxTrackedClients()) : null;
        this.maxInFlight = props.shedding().maxInFlight();
        Gauge.builder("flashsale.purchases.in.flight", inFlight, AtomicInteger::get)
                .description("Purchases waiting for their Redis decision on this pod").register(registry);
    }

    /** Returns the 429 to answer, or null when the caller may go on. */
    public ApiError rateLimit(String clientIp, String userId) {
        ApiError limited = perIp == null ? null : perIp.consume(clientIp);
        if (limited == null && perUser != null && userId != null) {
            limited = perUser.consume(userId.strip());
        }
        return limited;
    }

    /** Takes a slot for a purchase, or returns false when the pod is at capacity. */
    public boolean tryEnter() {
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    public void exit() {
        inFlight.decrementAndGet();
    }

    public static ApiError overCapacity() {
        return ApiError.unavailable("Too many purchases in progress; try again in a moment.");
    }

    private static final class Limiter {
        private final Cache<String, Bucket> buckets;
        private final Bandwidth bandwidth;

        Limiter(FlashsaleProperties.Bucket config, long maxClients) {
            this.bandwidth = Bandwidth.builder().capacity(config.capacity())
                    .refillGreedy(config.refillPerSecond(), Duration.ofSeconds(1)).build();
            this.buckets = Caffeine.newBuilder().maximumSize(maxClients).expireAfterAccess(Duration.ofMinutes(5)).build();
        }

        ApiError consume(String key) {
            ConsumptionProbe probe = buckets.get(key, k -> Bucket.builder().addLimit(bandwidth).build())
                    .tryConsumeAndReturnRemaining(1);
            if (probe.isConsumed()) {
                return null;
            }
            long seconds = Math.max(1, Duration.ofNanos(probe.getNanosToWaitForRefill()).toSeconds()
                    + (probe.getNanosToWaitForRefill() % 1_000_000_000L == 0 ? 0 : 1));
            return new ApiError(HttpStatus.TOO_MANY_REQUESTS, "RATE_LIMITED", "Too many requests; slow down.")
                    .retryAfter(seconds);
        }
    }
}
