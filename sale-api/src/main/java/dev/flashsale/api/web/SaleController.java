package dev.flashsale.api.web;

import dev.flashsale.api.auth.Shopper;
import dev.flashsale.api.checkout.HoldMetrics;
import dev.flashsale.api.events.SaleMemory;
import dev.flashsale.core.Hold;
import dev.flashsale.core.PurchaseRequest;
import dev.flashsale.core.PurchaseResult;
import dev.flashsale.core.SaleSpec;
import dev.flashsale.core.SaleStore;
import dev.flashsale.core.SaleView;
import dev.flashsale.core.Violations;
import io.lettuce.core.RedisException;
import java.net.URI;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The sale and purchase endpoints of the contract; the decisions themselves are sale-core's. */
@RestController
@RequestMapping(path = "/api/v1/sales", produces = MediaType.APPLICATION_JSON_VALUE)
public class SaleController {

    private final SaleStore store;
    private final SaleMemory memory;
    private final PurchaseGuard guard;
    private final PurchaseMetrics metrics;
    private final JsonMapper json;
    private final ClientAddress clientAddress;
    private final HoldMetrics holds;

    public SaleController(SaleStore store, SaleMemory memory, PurchaseGuard guard, PurchaseMetrics metrics,
                          JsonMapper json, ClientAddress clientAddress, HoldMetrics holds) {
        this.holds = holds;
        this.store = store;
        this.memory = memory;
        this.guard = guard;
        this.metrics = metrics;
        this.json = json;
        this.clientAddress = clientAddress;
    }

    @GetMapping
    public Mono<Json.Ok> list() {
        return store.list().map(Json.Sale::of).collectList().map(Json.Ok::new);
    }

    @GetMapping("/{saleId}")
    public Mono<ResponseEntity<Object>> get(@PathVariable String saleId,
                                            @RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
        return knownSaleView(saleId).map(view -> {
            String etag = "W/\"" + view.eventId() + "\"";
            ResponseEntity.BodyBuilder ok = ResponseEntity.ok().eTag(etag).header(HttpHeaders.CACHE_CONTROL, "public, max-age=1");
            if (ifNoneMatch != null && (ifNoneMatch.contains(etag) || ifNoneMatch.contains(etag.substring(2)) || ifNoneMatch.strip().equals("*"))) {
                return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag)
                        .header(HttpHeaders.CACHE_CONTROL, "public, max-age=1").build();
            }
            return ok.body(new Json.Ok(Json.Sale.of(view)));
        });
    }

    /** The view of a sale that exists, else a SALE_NOT_FOUND error. */
    Mono<SaleView> knownSaleView(String saleId) {
        if (!SaleSpec.ID.matcher(saleId).matches()) {
            return Mono.error(ApiError.saleNotFound(saleId));
        }
        return store.view(saleId).switchIfEmpty(Mono.error(() -> ApiError.saleNotFound(saleId)));
    }

    @PostMapping("/{saleId}/purchases")
    public Mono<ResponseEntity<Object>> purchase(@PathVariable String saleId, Shopper shopper, ServerHttpRequest request,
                                                 @RequestBody(required = false) String body) {
        HttpHeaders headers = request.getHeaders();
        ApiError limited = guard.limitClient(clientIp(request));
        if (limited != null) {
            return reject(limited);
        }
        Violations bodyErrors = new Violations();
        int qty = parseQty(body, contentType(headers), bodyErrors);
        PurchaseRequest purchase = new PurchaseRequest(saleId, shopper.id(), qty,
                headers.getFirst("Idempotency-Key"));
        Violations violations = purchase.validate().merge(bodyErrors);
        if (!violations.isEmpty()) {
            return reject(ApiError.validation(violations.fields()));
        }
        // only a valid shopper id gets a bucket: junk ids cost the pod nothing
        limited = guard.limitShopper(purchase.userId());
        if (limited != null) {
            return reject(limited);
        }
        if (!SaleSpec.ID.matcher(saleId).matches()) {
            return reject(ApiError.saleNotFound(saleId));
        }
        PurchaseResult remembered = memory.answerFromMemory(saleId, purchase.userId());
        if (remembered != null) {
            return Mono.just(respond(saleId, remembered));
        }
        if (!guard.tryEnter()) {
            return reject(PurchaseGuard.overCapacity());
        }
        return Mono.defer(() -> {
                    long start = System.nanoTime();
                    return store.purchase(purchase).doOnNext(r -> metrics.recordScript(start));
                })
                .doOnNext(r -> {
                    memory.onResult(saleId, r);
                    if (r.outcome() == PurchaseResult.Outcome.SUCCESS && r.hold() != null) {
                        holds.count(Hold.Status.HELD, 1);
                    }
                })
                .map(r -> respond(saleId, r))
                .onErrorResume(RedisException.class, e -> {
                    metrics.redisError();
                    return reject(ErrorHandler.toApiError(e));
                })
                .doFinally(s -> guard.exit());
    }

    private static MediaType contentType(HttpHeaders headers) {
        try {
            return headers.getContentType();
        } catch (InvalidMediaTypeException e) {
            throw unsupportedMediaType();
        }
    }

    private static ApiError unsupportedMediaType() {
        return new ApiError(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json.");
    }

    /** qty from an optional JSON body; problems are added to {@code errors}. */
    private int parseQty(String body, MediaType contentType, Violations errors) {
        if (body == null || body.isBlank()) {
            return 1;
        }
        if (contentType != null && !contentType.isCompatibleWith(MediaType.APPLICATION_JSON)
                && !contentType.getSubtype().endsWith("+json")) {
            throw unsupportedMediaType();
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JacksonException e) {
            errors.check(false, "body", "is not valid JSON");
            return 1;
        }
        if (!node.isObject()) {
            errors.check(false, "body", "must be a JSON object");
            return 1;
        }
        JsonNode qty = node.get("qty");
        if (qty == null || qty.isNull()) {
            return 1;
        }
        errors.check(qty.isIntegralNumber() && qty.canConvertToInt(), "qty", "must be an integer");
        return qty.isIntegralNumber() && qty.canConvertToInt() ? qty.intValue() : 1;
    }

    private ResponseEntity<Object> respond(String saleId, PurchaseResult r) {
        metrics.count(r.outcome().name().toLowerCase());
        return switch (r.outcome()) {
            case SUCCESS, REPLAY -> ResponseEntity.status(HttpStatus.CREATED)
                    .location(URI.create("/api/v1/sales/" + saleId + "/purchases/me"))
                    // a 201 describes the decision, so a replay is byte-for-byte the first answer
                    .body(new Json.Ok(Json.PurchaseView.of(r.purchase(), decided(r.hold()), false)));
            case ALREADY_PURCHASED -> conflict("ALREADY_PURCHASED", "You already bought your limit in this sale.")
                    .with("purchase", Json.PurchaseView.of(r.purchase(), r.hold(), r.persisted())).toResponse();
            case SOLD_OUT -> conflict("SOLD_OUT", "Sold out.").toResponse();
            case SALE_ENDED -> conflict("SALE_ENDED", "The sale has ended.")
                    .with("endReason", r.endReason().name()).toResponse();
            case SALE_NOT_ACTIVE -> conflict("SALE_NOT_ACTIVE", "The sale is not open for purchases.")
                    .with("state", r.state().name()).toResponse();
            case LIMIT_EXCEEDED -> conflict("LIMIT_EXCEEDED", "That quantity is above what you may still buy.")
                    .with("remaining", r.remaining()).toResponse();
            case INSUFFICIENT_STOCK -> conflict("INSUFFICIENT_STOCK", "Not enough stock left for that quantity.")
                    .with("stock", r.remaining()).toResponse();
            case SALE_NOT_FOUND -> ApiError.saleNotFound(saleId).toResponse();
        };
    }

    /** The hold as the purchase decided it (HELD, with its expiry), whatever became of it since. */
    private static Hold decided(Hold hold) {
        return hold == null ? null : new Hold(Hold.Status.HELD, null, hold.expiresAt(), null);
    }

    private static ApiError conflict(String code, String message) {
        return new ApiError(HttpStatus.CONFLICT, code, message);
    }

    private Mono<ResponseEntity<Object>> reject(ApiError error) {
        metrics.count(error.code().toLowerCase());
        return Mono.just(error.toResponse());
    }

    @GetMapping("/{saleId}/purchases/me")
    public Mono<ResponseEntity<Object>> myPurchase(@PathVariable String saleId, Shopper shopper) {
        ApiError invalid = invalidShopperOrSale(saleId, shopper);
        if (invalid != null) {
            return Mono.just(invalid.toResponse());
        }
        return store.myPurchase(saleId, shopper.id()).map(mine -> switch (mine.outcome()) {
            case FOUND -> ResponseEntity.ok().<Object>body(new Json.Ok(
                    Json.PurchaseView.of(mine.purchase().orElseThrow(), mine.hold(), mine.persisted())));
            case PURCHASE_NOT_FOUND -> noPurchase().toResponse();
            case SALE_NOT_FOUND -> ApiError.saleNotFound(saleId).toResponse();
        });
    }

    /** Checkout: the shopper gives up their open hold, and its units go back on sale. */
    @DeleteMapping("/{saleId}/purchases/me")
    public Mono<ResponseEntity<Object>> cancelHold(@PathVariable String saleId, Shopper shopper) {
        ApiError invalid = invalidShopperOrSale(saleId, shopper);
        if (invalid != null) {
            return Mono.just(invalid.toResponse());
        }
        return store.cancel(saleId, shopper.id()).map(r -> switch (r.outcome()) {
            case CANCELLED -> {
                holds.count(Hold.Status.CANCELLED, 1);
                yield ResponseEntity.ok().<Object>body(new Json.Ok(Json.PurchaseView.of(r.purchase(), r.hold(), r.persisted())));
            }
            case PURCHASE_NOT_FOUND -> noPurchase().toResponse();
            case SALE_NOT_FOUND -> ApiError.saleNotFound(saleId).toResponse();
            default -> conflict("PURCHASE_NOT_HELD", "Your purchase is not an open hold (paid, expired or cancelled).")
                    .with("purchase", Json.PurchaseView.of(r.purchase(), r.hold(), r.persisted())).toResponse();
        });
    }

    private static ApiError invalidShopperOrSale(String saleId, Shopper shopper) {
        Violations v = new Violations().text(shopper.id(), shopper.source(), PurchaseRequest.MAX_USER_ID);
        if (!v.isEmpty()) {
            return ApiError.validation(v.fields());
        }
        return SaleSpec.ID.matcher(saleId).matches() ? null : ApiError.saleNotFound(saleId);
    }

    private static ApiError noPurchase() {
        return new ApiError(HttpStatus.NOT_FOUND, "PURCHASE_NOT_FOUND", "You have no purchase in this sale.");
    }

    /** The TCP peer, or what a trusted proxy says the client is (see ClientAddress). */
    private String clientIp(ServerHttpRequest request) {
        return clientAddress.of(request);
    }
}
