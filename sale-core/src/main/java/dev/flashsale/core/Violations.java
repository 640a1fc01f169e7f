package dev.flashsale.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Field-by-field validation messages, in the order the checks ran. Valid input, the common case on
 * the purchase path, allocates nothing here: the map exists only once a check fails, and messages
 * that need a number are built only then.
 */
public final class Violations {

    private Map<String, String> fields;

    public Violations check(boolean ok, String field, String message) {
        if (!ok) {
            add(field, message);
        }
        return this;
    }

    private void add(String field, String message) {
        if (fields == null) {
            fields = new LinkedHashMap<>();
        }
        fields.putIfAbsent(field, message);
    }

    /** Adds the other's messages after this one's (a field already named keeps its first message). */
    public Violations merge(Violations other) {
        if (other.fields != null) {
            other.fields.forEach(this::add);
        }
        return this;
    }

    public boolean isEmpty() {
        return fields == null;
    }

    public Map<String, String> fields() {
        return fields == null ? Map.of() : Collections.unmodifiableMap(fields);
    }

    /** Trimmed identifier text of 1..max characters without control characters. */
    public Violations text(String value, String field, int max) {
        if (value == null || value.isBlank()) {
            return check(false, field, "is required");
        }
        String trimmed = value.strip();
        if (trimmed.length() > max) {
            add(field, "must be at most " + max + " characters");
        }
        for (int i = 0; i < trimmed.length(); i++) {
            if (Character.isISOControl(trimmed.charAt(i))) {
                add(field, "must not contain control characters");
                break;
            }
        }
        return this;
    }

    public void throwIfAny() {
        if (!isEmpty()) {
            throw new InvalidInputException(this);
        }
    }

    /** Client input that breaks the rules of a sale; adapters turn it into a 400. */
    public static final class InvalidInputException extends IllegalArgumentException {
        private final transient Map<String, String> fields;

        InvalidInputException(Violations violations) {
            super("invalid input: " + violations.fields());
            this.fields = violations.fields();
        }

        public Map<String, String> fields() {
            return fields;
        }
    }
}
