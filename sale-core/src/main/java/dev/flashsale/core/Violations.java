package dev.flashsale.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Field-by-field validation messages, in the order the checks ran. */
public final class Violations {

    private final Map<String, String> fields = new LinkedHashMap<>();

    public Violations check(boolean ok, String field, String message) {
        if (!ok) {
            fields.putIfAbsent(field, message);
        }
        return this;
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    public Map<String, String> fields() {
        return Collections.unmodifiableMap(fields);
    }

    /** Trimmed identifier text of 1..max characters without control characters. */
    public Violations text(String value, String field, int max) {
        if (value == null || value.isBlank()) {
            return check(false, field, "is required");
        }
        String trimmed = value.strip();
        check(trimmed.length() <= max, field, "must be at most " + max + " characters");
        return check(trimmed.chars().noneMatch(Character::isISOControl), field, "must not contain control characters");
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
            super("invalid input: " + violations.fields);
            this.fields = violations.fields();
        }

        public Map<String, String> fields() {
            return fields;
        }
    }
}
