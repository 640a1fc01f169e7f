package dev.flashsale.api.web;

import dev.flashsale.core.Violations;
import io.lettuce.core.RedisException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Renders every failure, including those Spring itself raises (unknown route, wrong method, media
 * type, oversized or malformed body), as the contract's JSON envelope. Ordered before Boot's
 * default handler so that no HTML page or stack trace ever reaches a client.
 */
@Component
@Order(-2)
public class ErrorHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ErrorHandler.class);

    private final JsonMapper json;
    private final PurchaseMetrics metrics;

    public ErrorHandler(JsonMapper json, PurchaseMetrics metrics) {
        this.json = json;
        this.metrics = metrics;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
        if (exchange.getResponse().isCommitted()) {
            return Mono.error(ex);
        }
        if (ex instanceof RedisException) {
            metrics.redisError();
        }
        ApiError error = toApiError(ex);
        if (error.status() == HttpStatus.INTERNAL_SERVER_ERROR) {
            // a bug, never a client's mistake: keep the whole trace to find it
            log.error("{} {} failed", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), ex);
        } else if (error.status().is5xxServerError() && !(ex instanceof ApiError)) {
            log.warn("{} {} failed: {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), ex.toString());
        }
        var response = exchange.getResponse();
        response.setStatusCode(error.status());
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        error.applyHeaders(response.getHeaders());
        byte[] body = json.writeValueAsBytes(error.body());
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }

    static ApiError toApiError(Throwable ex) {
        if (ex instanceof ApiError e) {
            return e;
        }
        if (ex instanceof Violations.InvalidInputException e) {
            return ApiError.validation(e.fields());
        }
        if (ex instanceof RedisException) {
            return ApiError.unavailable("The sale store is unreachable; try again shortly.");
        }
        if (ex instanceof DataBufferLimitException || hasCause(ex, DataBufferLimitException.class)) {
            return new ApiError(HttpStatus.CONTENT_TOO_LARGE, "PAYLOAD_TOO_LARGE", "The request body is too large.");
        }
        if (ex instanceof ServerWebInputException e && e.getStatusCode().value() == 400) {
            return ApiError.validation(Map.of("body", "is not valid JSON of the expected shape"));
        }
        if (ex instanceof ResponseStatusException e) {
            return fromStatus(e.getStatusCode(), e.getReason());
        }
        return new ApiError(HttpStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", "An unexpected error occurred.");
    }

    private static ApiError fromStatus(HttpStatusCode code, String reason) {
        HttpStatus status = HttpStatus.resolve(code.value());
        if (status == null) {
            status = HttpStatus.INTERNAL_SERVER_ERROR;
        }
        return switch (status) {
            case NOT_FOUND -> new ApiError(status, "NOT_FOUND", "No such resource.");
            case METHOD_NOT_ALLOWED -> new ApiError(status, "METHOD_NOT_ALLOWED", "This method is not allowed here.");
            case NOT_ACCEPTABLE -> new ApiError(status, "NOT_ACCEPTABLE", "No acceptable representation.");
            case UNSUPPORTED_MEDIA_TYPE -> new ApiError(status, "UNSUPPORTED_MEDIA_TYPE", "Send application/json.");
            case CONTENT_TOO_LARGE -> new ApiError(HttpStatus.CONTENT_TOO_LARGE, "PAYLOAD_TOO_LARGE", "The request body is too large.");
            case BAD_REQUEST -> ApiError.validation(Map.of("request", reason == null ? "is invalid" : reason));
            case SERVICE_UNAVAILABLE -> ApiError.unavailable("The service is unavailable; try again shortly.");
            default -> status.is4xxClientError()
                    ? new ApiError(status, status.name(), status.getReasonPhrase())
                    : new ApiError(HttpStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", "An unexpected error occurred.");
        };
    }

    private static boolean hasCause(Throwable ex, Class<? extends Throwable> type) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
