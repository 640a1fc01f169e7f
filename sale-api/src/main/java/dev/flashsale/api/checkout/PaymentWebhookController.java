package dev.flashsale.api.checkout;

import dev.flashsale.api.config.FlashsaleProperties;
import dev.flashsale.api.web.ApiError;
import dev.flashsale.api.web.Json;
import dev.flashsale.core.Hold;
import dev.flashsale.core.HoldResult;
import dev.flashsale.core.SaleSpec;
import dev.flashsale.core.SaleStore;
import dev.flashsale.core.Violations;
import java.time.Instant;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The payment provider's webhook (docs/contract/api.md, "Checkout"). The signature is checked over
 * the raw bytes before anything is parsed; the decision is pay.lua's, which also makes a repeated
 * payment id get its first answer.
 */
@RestController
public class PaymentWebhookController {

    static final String SIGNATURE_HEADER = "Flashsale-Signature";
    static final String PAYMENT_SUCCEEDED = "payment.succeeded";
    private static final int MAX_ID = 255;

    private final SaleStore store;
    private final JsonMapper json;
    private final HoldMetrics metrics;
    private final WebhookSignature signature;

    public PaymentWebhookController(SaleStore store, JsonMapper json, HoldMetrics metrics, FlashsaleProperties props) {
        this.store = store;
        this.json = json;
        this.metrics = metrics;
        String secret = props.checkout().webhookSecret();
        this.signature = secret.isBlank() ? null : new WebhookSignature(secret);
    }

    @PostMapping(path = "/api/v1/payments/events", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<Object>> event(@RequestHeader(value = SIGNATURE_HEADER, required = false) String header,
                                              @RequestBody(required = false) byte[] body) {
        if (signature == null) {
            return Mono.just(ApiError.unavailable("Payments are not configured on this server.").toResponse());
        }
        byte[] raw = body == null ? new byte[0] : body;
        if (!signature.verify(header, raw, Instant.now())) {
            metrics.payment(HoldMetrics.Payment.BAD_SIGNATURE);
            return Mono.just(new ApiError(HttpStatus.BAD_REQUEST, "BAD_SIGNATURE",
                    "Missing, wrong or stale " + SIGNATURE_HEADER + ".").toResponse());
        }
        JsonNode event = parse(raw);
        Violations v = new Violations();
        v.check(event != null && event.isObject(), "body", "must be a JSON object");
        String type = text(event, "type", v);
        String purchaseId = text(event, "purchaseId", v);
        String paymentId = text(event, "paymentId", v);
        if (!v.isEmpty()) {
            return Mono.just(ApiError.validation(v.fields()).toResponse());
        }
        if (!PAYMENT_SUCCEEDED.equals(type)) {
            // providers send many kinds of events; only a successful payment changes a hold
            return Mono.just(ResponseEntity.ok(new Json.Ok(Map.of("ignored", true))));
        }
        // a purchase id is its sale's id, '-' and a sequence number
        int dash = purchaseId.lastIndexOf('-');
        String saleId = dash > 0 ? purchaseId.substring(0, dash) : "";
        if (!SaleSpec.ID.matcher(saleId).matches()) {
            return Mono.just(notFound(purchaseId));
        }
        return store.pay(saleId, purchaseId, paymentId).map(r -> answer(r, purchaseId));
    }

    private ResponseEntity<Object> answer(HoldResult r, String purchaseId) {
        return switch (r.outcome()) {
            case CONFIRMED -> {
                metrics.payment(HoldMetrics.Payment.CONFIRMED);
                metrics.count(Hold.Status.CONFIRMED, 1);
                yield ResponseEntity.ok(new Json.Ok(Json.PurchaseView.of(r.purchase(), r.hold(), r.persisted())));
            }
            case HOLD_EXPIRED -> {
                metrics.payment(HoldMetrics.Payment.HOLD_EXPIRED);
                yield refused(r, "HOLD_EXPIRED", "The hold had expired or was cancelled; refund the payment.");
            }
            case ALREADY_PAID -> {
                metrics.payment(HoldMetrics.Payment.ALREADY_PAID);
                yield refused(r, "ALREADY_PAID", "The purchase is paid already; refund this payment.");
            }
            default -> notFound(purchaseId);
        };
    }

    private static ResponseEntity<Object> refused(HoldResult r, String code, String message) {
        return new ApiError(HttpStatus.CONFLICT, code, message)
                .with("purchase", Json.PurchaseView.of(r.purchase(), r.hold(), r.persisted())).toResponse();
    }

    private static ResponseEntity<Object> notFound(String purchaseId) {
        return new ApiError(HttpStatus.NOT_FOUND, "PURCHASE_NOT_FOUND", "No purchase with id '" + purchaseId + "'.")
                .toResponse();
    }

    private JsonNode parse(byte[] raw) {
        try {
            return json.readTree(raw);
        } catch (JacksonException e) {
            return null;
        }
    }

    private static String text(JsonNode event, String field, Violations v) {
        JsonNode node = event == null || !event.isObject() ? null : event.get(field);
        boolean ok = node != null && node.isString() && !node.asString().isBlank() && node.asString().length() <= MAX_ID;
        v.check(event == null || !event.isObject() || ok, field, "must be a string of 1.." + MAX_ID + " characters");
        return ok ? node.asString() : null;
    }
}
