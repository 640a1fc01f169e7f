package dev.flashsale.api.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * Purchase outcomes, the latency of the purchase script and requests lost to Redis failures, as the
 * dashboards and alerts read them.
 */
@Component
public class PurchaseMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final Timer purchaseScript;
    private final Counter redisErrors;

    public PurchaseMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.purchaseScript = Timer.builder("flashsale.lua.duration").tag("script", "purchase")
                .description("Round trip of one purchase script call to Redis")
                .publishPercentileHistogram().register(registry);
        // separate from the 503 outcomes, which load shedding also produces
        this.redisErrors = Counter.builder("flashsale.redis.errors")
                .description("Requests answered 503 because Redis was unreachable or too slow").register(registry);
    }

    /** @param outcome the contract's error code in lower case, "success" or "replay" */
    public void count(String outcome) {
        outcomes.computeIfAbsent(outcome, o -> Counter.builder("flashsale.purchases").tag("outcome", o)
                .description("Purchase attempts by outcome").register(registry)).increment();
    }

    public void redisError() {
        redisErrors.increment();
    }

    public void recordScript(long startNanos) {
        purchaseScript.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }
}
