package dev.flashsale.api.web;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Scheduler;
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
 *
 * <p>A sale of millions of shoppers must not grow the pod: a bucket that has refilled is the same
 * as a new one, so it is forgotten once it has been idle for as long as a full refill takes, and
 * all buckets of a limiter together stay within a memory budget ({@code rate-limit.max-memory}).
 */
@Component
public class PurchaseGuard {

    private final Limiter perIp;
    private final Limiter perUser;
    private final int maxInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();

    public PurchaseGuard(FlashsaleProperties props, MeterRegistry registry) {
        FlashsaleProperties.RateLimit rl = props.rateLimit();
        this.perIp = rl.perIp().enabled() ? new Limiter(rl.perIp(), rl.maxMemory().toBytes()) : null;
        this.perUser = rl.perUser().enabled() ? new Limiter(rl.perUser(), rl.maxMemory().toBytes()) : null;
        this.maxInFlight = props.shedding().maxInFlight();
        Gauge.builder("flashsale.purchases.in.flight", inFlight, AtomicInteger::get)
                .description("Purchases waiting for their Redis decision on this pod").register(registry);
    }

    /** The per-client-address limit: the 429 to answer, or null when the caller may go on. */
    public ApiError limitClient(String clientIp) {
        return perIp == null ? null : perIp.consume(clientIp);
    }

    /** The per-shopper limit, for a shopper id already validated: the 429 to answer, or null. */
    public ApiError limitShopper(String userId) {
        return perUser == null ? null : perUser.consume(userId);
    }

    /** Buckets held now (client addresses, shoppers), after expired ones are dropped. */
    public long[] trackedBuckets() {
        return new long[] {perIp == null ? 0 : perIp.size(), perUser == null ? 0 : perUser.size()};
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

        /** Roughly what one bucket costs on the heap besides its key: Bucket4j's state and the cache node. */
        private static final int BUCKET_BYTES = 320;

        Limiter(FlashsaleProperties.Bucket config, long maxBytes) {
            this.bandwidth = Bandwidth.builder().capacity(config.capacity())
                    .refillGreedy(config.refillPerSecond(), Duration.ofSeconds(1)).build();
            // idle this long, an emptied bucket is full again: indistinguishable from a new one
            Duration fullRefill = Duration.ofMillis(Math.max(1, 1000 * config.capacity() / config.refillPerSecond()));
            this.buckets = Caffeine.newBuilder()
                    .maximumWeight(maxBytes)
                    .weigher((String key, Bucket b) -> BUCKET_BYTES + 2 * key.length())
                    .expireAfterAccess(fullRefill)
                    // expired buckets leave on time even when no request comes to sweep them
                    .scheduler(Scheduler.systemScheduler())
                    .build();
        }

        long size() {
            buckets.cleanUp();
            return buckets.estimatedSize();
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
