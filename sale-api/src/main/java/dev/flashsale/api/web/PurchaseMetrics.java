package dev.flashsale.api.web;

import dev.flashsale.core.PurchaseResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
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
        // registered up front: every outcome shows on dashboards from the start, and no event loop
        // takes the registry's locks on a first answer
        for (PurchaseResult.Outcome o : PurchaseResult.Outcome.values()) {
            count(o.name().toLowerCase(), 0);
        }
        for (String code : List.of("validation_error", "rate_limited", "service_unavailable")) {
            count(code, 0);
        }
    }

    /** @param outcome the contract's error code in lower case, "success" or "replay" */
    public void count(String outcome) {
        count(outcome, 1);
    }

    private void count(String outcome, int n) {
        outcomes.computeIfAbsent(outcome, o -> Counter.builder("flashsale.purchases").tag("outcome", o)
                .description("Purchase attempts by outcome").register(registry)).increment(n);
    }

    public void redisError() {
        redisErrors.increment();
    }

    public void recordScript(long startNanos) {
        purchaseScript.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }
}
