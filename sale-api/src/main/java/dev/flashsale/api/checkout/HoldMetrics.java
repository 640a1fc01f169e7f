package dev.flashsale.api.checkout;

import dev.flashsale.core.Hold;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * What this pod did to holds ({@code flashsale.holds{event}}: held, confirmed, expired, cancelled)
 * and how it answered payments ({@code flashsale.payments{outcome}}); summed over pods they are the
 * deployment's. Open holds per sale are the operator's gauge.
 */
@Component
public class HoldMetrics {

    /** The webhook's answers that are counted (a series exists from the start, so increase() sees the first one). */
    public enum Payment { CONFIRMED, HOLD_EXPIRED, ALREADY_PAID, BAD_SIGNATURE }

    private final Map<Hold.Status, Counter> holds = new EnumMap<>(Hold.Status.class);
    private final Map<Payment, Counter> payments = new EnumMap<>(Payment.class);

    public HoldMetrics(MeterRegistry registry) {
        for (Hold.Status status : Hold.Status.values()) {
            holds.put(status, Counter.builder("flashsale.holds").tag("event", status.name().toLowerCase())
                    .description("Holds taken (held) and ended (confirmed, expired, cancelled) by this pod")
                    .register(registry));
        }
        for (Payment outcome : Payment.values()) {
            payments.put(outcome, Counter.builder("flashsale.payments").tag("outcome", outcome.name().toLowerCase())
                    .description("Payment webhook calls by answer").register(registry));
        }
    }

    public void count(Hold.Status event, long n) {
        holds.get(event).increment(n);
    }

    public void payment(Payment outcome) {
        payments.get(outcome).increment();
    }
}
