package dev.flashsale.operator.crd;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;

/**
 * Durations written the way Kubernetes users write them ({@code 5m}, {@code 90s}, {@code 1h30m},
 * {@code 1.5h}): a sequence of decimal numbers each with a unit of ms, s, m or h.
 */
public final class GoDuration {

    /** The schema pattern of {@code scaling.leadTime} and {@code checkout.holdFor}; {@link #parse} accepts exactly this. */
    public static final String PATTERN = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";

    private static final java.util.regex.Pattern WHOLE = java.util.regex.Pattern.compile(PATTERN);
    private static final java.util.regex.Pattern PART = java.util.regex.Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");

    private GoDuration() {
    }

    public static Duration parse(String text) {
        if (text == null || !WHOLE.matcher(text).matches()) {
            throw new IllegalArgumentException("not a duration like 5m or 1h30m: " + text);
        }
        BigDecimal nanos = BigDecimal.ZERO;
        Matcher m = PART.matcher(text);
        while (m.find()) {
            long unit = switch (m.group(2)) {
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)));
        }
        return Duration.ofNanos(nanos.longValueExact());
    }

    /** What {@link #parse} reads back, largest unit first and without zero parts: 1h30m, 10m, 1m30s, 250ms. */
    public static String format(Duration d) {
        StringBuilder text = new StringBuilder();
        append(text, d.toHours(), "h");
        append(text, d.toMinutesPart(), "m");
        append(text, d.toSecondsPart(), "s");
        append(text, d.toMillisPart(), "ms");
        return text.isEmpty() ? "0s" : text.toString();
    }

    private static void append(StringBuilder text, long amount, String unit) {
        if (amount != 0) {
            text.append(amount).append(unit);
        }
    }
}
