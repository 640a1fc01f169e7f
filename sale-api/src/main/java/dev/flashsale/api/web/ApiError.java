package dev.flashsale.api.web;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/**
 * A failure of the contract: status, UPPER_SNAKE code, human message and extra fields of the
 * {@code error} object. Returned as a value on hot paths, thrown where that reads better; the
 * {@link ErrorHandler} renders thrown ones the same way.
 */
public final class ApiError extends RuntimeException {

    private final HttpStatus status;
    private final String code;
    private final Map<String, Object> extra = new LinkedHashMap<>();
    private long retryAfterSeconds = -1;

    public ApiError(HttpStatus status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public static ApiError validation(Map<String, String> fields) {
        return new ApiError(HttpStatus.BAD_REQUEST, "VALIDATION_ERROR", "The request is invalid.").with("fields", fields);
    }

    public static ApiError saleNotFound(String saleId) {
        return new ApiError(HttpStatus.NOT_FOUND, "SALE_NOT_FOUND", "No sale with id '" + saleId + "'.");
    }

    public static ApiError unavailable(String message) {
        return new ApiError(HttpStatus.SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE", message).retryAfter(1);
    }

    public ApiError with(String field, Object value) {
        extra.put(field, value);
        return this;
    }

    public ApiError retryAfter(long seconds) {
        this.retryAfterSeconds = seconds;
        return with("retryAfter", seconds);
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** The envelope: {"success": false, "error": {"code", "message", ...extra}}. */
    public Map<String, Object> body() {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", getMessage());
        error.putAll(extra);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", false);
        body.put("error", error);
        return body;
    }

    public void applyHeaders(HttpHeaders headers) {
        if (retryAfterSeconds >= 0) {
            headers.set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
    }

    public ResponseEntity<Object> toResponse() {
        ResponseEntity.BodyBuilder builder = ResponseEntity.status(status);
        builder.headers(this::applyHeaders);
        return builder.body(body());
    }
}
