package dev.flashsale.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flashsale.api.checkout.HoldExpiry;
import dev.flashsale.api.checkout.WebhookSignature;
import dev.flashsale.core.Hold;
import dev.flashsale.core.SaleSpec;
import dev.flashsale.core.SaleState;
import dev.flashsale.core.SaleView;
import dev.flashsale.core.testing.SaleFixture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checkout over HTTP (docs/contract/api.md, "Checkout"): holds, the payment webhook with its
 * signature, giving up, expiry by the pod, and the ledger in PostgreSQL matching Redis.
 */
class CheckoutIT extends ApiTestSupport {

    /** The test profile's webhook secret (application-test.yml). */
    static final WebhookSignature SIGNER = new WebhookSignature("test-webhook-secret");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    DatabaseClient db;
    @Autowired
    HoldExpiry expiry;

    private SaleSpec checkoutSale(String prefix, long stock, int limit, Duration holdFor) {
        Instant now = redisNow();
        SaleSpec spec = SaleFixture.spec(prefix, stock, limit, now.minusSeconds(60), now.plusSeconds(3600)).withHoldFor(holdFor);
        store.upsert(spec).block();
        return spec;
    }

    private static String event(String type, String purchaseId, String paymentId) {
        return "{\"type\":\"" + type + "\",\"purchaseId\":\"" + purchaseId + "\",\"paymentId\":\"" + paymentId + "\",\"amount\":0}";
    }

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec pay(String body, long t, WebhookSignature signer) {
        byte[] raw = body.getBytes(StandardCharsets.UTF_8);
        return http.post().uri("/api/v1/payments/events").contentType(MediaType.APPLICATION_JSON)
                .header("Flashsale-Signature", signer.sign(t, raw)).bodyValue(raw).exchange();
    }

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec pay(String purchaseId, String paymentId) {
        return pay(event("payment.succeeded", purchaseId, paymentId), Instant.now().getEpochSecond(), SIGNER);
    }

    @Test
    void aHoldIsPaidThroughTheSignedWebhookOnceAndOnlyOnce() {
        SaleSpec sale = checkoutSale("webhook", 5, 1, Duration.ofMinutes(10));
        buy(sale.id(), "alice").expectStatus().isCreated().expectBody()
                .jsonPath("$.data.status").isEqualTo("HELD")
                .jsonPath("$.data.expiresAt").isNotEmpty();
        http.get().uri("/api/v1/sales/{id}", sale.id()).exchange().expectBody()
                .jsonPath("$.data.held").isEqualTo(1).jsonPath("$.data.confirmed").isEqualTo(0)
                .jsonPath("$.data.holdForSeconds").isEqualTo(600);
        String pid = purchaseIdOf(sale.id(), "alice");
        long now = Instant.now().getEpochSecond();
        String body = event("payment.succeeded", pid, "pay-a");

        // bad signature, stale timestamp, no signature: refused, nothing changes
        pay(body, now, new WebhookSignature("not-the-secret")).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error.code").isEqualTo("BAD_SIGNATURE");
        pay(body, now - 301, SIGNER).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error.code").isEqualTo("BAD_SIGNATURE");
        http.post().uri("/api/v1/payments/events").contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.error.code").isEqualTo("BAD_SIGNATURE");
        // the signature covers the body: the same header over another body is refused
        byte[] raw = body.getBytes(StandardCharsets.UTF_8);
        http.post().uri("/api/v1/payments/events").contentType(MediaType.APPLICATION_JSON)
                .header("Flashsale-Signature", SIGNER.sign(now, raw))
                .bodyValue(event("payment.succeeded", pid, "pay-forged")).exchange()
                .expectStatus().isBadRequest();
        assertThat(view(sale.id()).held()).isEqualTo(1);

        // good: confirmed; the provider's retry gets the very same answer
        byte[] first = pay(body, now, SIGNER).expectStatus().isOk().expectBody()
                .jsonPath("$.data.status").isEqualTo("CONFIRMED").returnResult().getResponseBody();
        byte[] again = pay(body, now + 1, SIGNER).expectStatus().isOk().expectBody().returnResult().getResponseBody();
        assertThat(again).isEqualTo(first);
        // a second payment for it is refused for a refund
        pay(pid, "pay-b").expectStatus().isEqualTo(409).expectBody().jsonPath("$.error.code").isEqualTo("ALREADY_PAID");
        SaleView v = view(sale.id());
        assertThat(List.of(v.stock(), v.held(), v.confirmed())).containsExactly(4L, 0L, 1L);
        http.get().uri("/api/v1/sales/{id}/purchases/me", sale.id()).header("X-User-Id", "alice").exchange()
                .expectBody().jsonPath("$.data.status").isEqualTo("CONFIRMED");

        // other event types are acknowledged and ignored; malformed events and unknown purchases are told apart
        pay(event("payment.failed", pid, "pay-c"), now, SIGNER).expectStatus().isOk()
                .expectBody().jsonPath("$.data.ignored").isEqualTo(true);
        pay("[1]", now, SIGNER).expectStatus().isBadRequest().expectBody().jsonPath("$.error.code").isEqualTo("VALIDATION_ERROR");
        pay("{\"type\":\"payment.succeeded\"}", now, SIGNER).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error.fields.purchaseId").isNotEmpty();
        pay(sale.id() + "-zzzzzzzzzzz", "pay-d").expectStatus().isNotFound()
                .expectBody().jsonPath("$.error.code").isEqualTo("PURCHASE_NOT_FOUND");
        pay("no-such-sale", "pay-e").expectStatus().isNotFound();
    }

    @Test
    void aShopperGivesUpAHoldAndALatePaymentIsRefusedAndRecorded() {
        SaleSpec sale = checkoutSale("giveup", 1, 1, Duration.ofMinutes(10));
        buy(sale.id(), "bob").expectStatus().isCreated();
        String pid = purchaseIdOf(sale.id(), "bob");
        buy(sale.id(), "carol").expectStatus().isEqualTo(409).expectBody().jsonPath("$.error.code").isEqualTo("SOLD_OUT");
        http.delete().uri("/api/v1/sales/{id}/purchases/me", sale.id()).header("X-User-Id", "bob").exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.data.status").isEqualTo("CANCELLED");
        http.delete().uri("/api/v1/sales/{id}/purchases/me", sale.id()).header("X-User-Id", "bob").exchange()
                .expectStatus().isEqualTo(409).expectBody().jsonPath("$.error.code").isEqualTo("PURCHASE_NOT_HELD");
        http.delete().uri("/api/v1/sales/{id}/purchases/me", sale.id()).header("X-User-Id", "nobody").exchange()
                .expectStatus().isNotFound();
        pay(pid, "late-1").expectStatus().isEqualTo(409).expectBody().jsonPath("$.error.code").isEqualTo("HOLD_EXPIRED")
                .jsonPath("$.error.purchase.status").isEqualTo("CANCELLED");
        buy(sale.id(), "carol").expectStatus().isCreated();
        // the ledger in PostgreSQL: HELD, CANCELLED, the late payment with its id; the row says CANCELLED
        await("bob's ledger").atMost(Duration.ofSeconds(30)).until(() -> ledger(sale.id(), pid).size() == 3);
        assertThat(ledger(sale.id(), pid)).containsExactlyInAnyOrder("HELD", "CANCELLED", "PAYMENT_AFTER_EXPIRY late-1");
        await("bob's status").atMost(Duration.ofSeconds(30)).until(() -> "CANCELLED".equals(statusInDb(sale.id(), pid)));
        // purchases without checkout are unchanged: CONFIRMED at once, no expiry; nothing to give up
        SaleSpec plain = activeSale("plain", 3, 1);
        buy(plain.id(), "dora").expectStatus().isCreated().expectBody()
                .jsonPath("$.data.status").isEqualTo("CONFIRMED").jsonPath("$.data.expiresAt").doesNotExist();
        http.delete().uri("/api/v1/sales/{id}/purchases/me", plain.id()).header("X-User-Id", "dora").exchange()
                .expectStatus().isEqualTo(409);
    }

    /**
     * Acceptances 1 and 2 over HTTP: a herd in which 30% of the winners never pay and 10% give up.
     * The pod expires each unpaid hold within a second of its expiresAt, the units sell again to
     * later shoppers, the sale ends SOLD_OUT with exactly 100 confirmed, and PostgreSQL's statuses
     * and ledger match Redis. (The invariant at sampled instants: sale-core's CheckoutIT.)
     */
    @Test
    void aHerdWhereThirtyPercentNeverPayEndsSoldOutWithEveryUnitPaid() {
        SaleSpec sale = checkoutSale("herd", 100, 1, Duration.ofSeconds(2));
        WebClient client = concurrentClient(200);
        Map<String, String> holds = new ConcurrentHashMap<>();
        Set<String> unpaid = ConcurrentHashMap.newKeySet();
        AtomicInteger attempts = new AtomicInteger();
        Instant deadline = Instant.now().plusSeconds(90);
        // 2,000 shoppers, 200 at a time, each trying again every 100 ms until they hold or the sale is over
        Flux.range(0, 2_000).flatMap(i -> shop(client, sale.id(), "h" + i, attempts, deadline)
                .flatMap(pid -> {
                    holds.put(pid, "h" + i);
                    int fate = ThreadLocalRandom.current().nextInt(10);
                    if (fate < 3) {
                        unpaid.add(pid);
                        return Mono.empty();
                    }
                    if (fate == 3) {
                        // one in ten gives up instead, racing the others' payments and expiries
                        return client.delete().uri("/api/v1/sales/{id}/purchases/me", sale.id()).header("X-User-Id", "h" + i)
                                .exchangeToMono(r -> r.releaseBody().thenReturn(r.statusCode().value()));
                    }
                    byte[] raw = event("payment.succeeded", pid, "pay-" + pid).getBytes(StandardCharsets.UTF_8);
                    return client.post().uri("/api/v1/payments/events").contentType(MediaType.APPLICATION_JSON)
                            .header("Flashsale-Signature", SIGNER.sign(Instant.now().getEpochSecond(), raw))
                            .bodyValue(raw).exchangeToMono(r -> r.releaseBody().thenReturn(r.statusCode().value()));
                }), 200).blockLast(Duration.ofMinutes(2));

        SaleView v = view(sale.id());
        assertThat(v.state()).isEqualTo(SaleState.ENDED);
        assertThat(v.endReason().name()).isEqualTo("SOLD_OUT");
        assertThat(List.of(v.stock(), v.held(), v.confirmed())).containsExactly(0L, 0L, 100L);
        assertThat(holds.size()).as("units sold again after expiries").isGreaterThan(100);
        Map<String, Hold> inRedis = store.holds(sale.id(), List.copyOf(holds.keySet())).block();
        assertThat(inRedis.values().stream().filter(h -> h.status() == Hold.Status.CONFIRMED)).hasSize(100);
        long lateMs = 0;
        int expired = 0;
        for (String pid : unpaid) {
            Hold h = inRedis.get(pid);
            assertThat(h.status()).as("unpaid %s", pid).isEqualTo(Hold.Status.EXPIRED);
            assertThat(h.at()).as("never before its time").isAfterOrEqualTo(h.expiresAt());
            lateMs = Math.max(lateMs, Duration.between(h.expiresAt(), h.at()).toMillis());
            expired++;
        }
        assertThat(lateMs).as("ms the latest expiry came after its expiresAt").isLessThan(1_000);

        // PostgreSQL: every purchase with Redis's status, and a ledger of HELD plus one end each
        await("statuses in PostgreSQL").atMost(Duration.ofSeconds(60)).until(() -> statusesInDb(sale.id()).equals(
                inRedis.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().status().name()))));
        Map<String, List<String>> ledger = new HashMap<>();
        db.sql("SELECT purchase_id, event FROM purchase_events WHERE sale_id = $1").bind(0, sale.id())
                .map(row -> Map.entry(row.get(0, String.class), row.get(1, String.class))).all()
                .doOnNext(e -> ledger.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()))
                .blockLast(Duration.ofSeconds(30));
        assertThat(ledger.keySet()).isEqualTo(holds.keySet());
        ledger.forEach((pid, events) -> assertThat(events).as(pid)
                .containsExactlyInAnyOrder("HELD", inRedis.get(pid).status().name()));
        await("persisted == sold").atMost(Duration.ofSeconds(30)).until(() -> view(sale.id()).persisted() == 100);
        // what the pod keeps for expiry is bounded by the sales with open holds: this one has none now
        await("the sale leaves the pod's expiry set").atMost(Duration.ofSeconds(5))
                .until(() -> !expiry.salesWithHolds().contains(sale.id()));
        long cancelled = inRedis.values().stream().filter(h -> h.status() == Hold.Status.CANCELLED).count();
        long expiredAll = inRedis.values().stream().filter(h -> h.status() == Hold.Status.EXPIRED).count();
        assertThat((long) holds.size()).as("every hold paid, expired or given up").isEqualTo(100 + expiredAll + cancelled);
        System.out.printf("checkout herd: %d attempts, %d holds, %d expired unpaid (latest %d ms after its time), %d given up, 100 paid%n",
                attempts.get(), holds.size(), expired, lateMs, cancelled);
    }

    /** A shopper who tries until they hold (emits the purchase id) or the sale is over (empty). */
    private Mono<String> shop(WebClient client, String saleId, String user, AtomicInteger attempts, Instant deadline) {
        return Mono.defer(() -> {
                    attempts.incrementAndGet();
                    return client.post().uri("/api/v1/sales/{id}/purchases", saleId).header("X-User-Id", user)
                            .exchangeToMono(r -> r.bodyToMono(String.class).map(b -> Map.entry(r.statusCode().value(), b)));
                })
                .flatMap(r -> {
                    JsonNode body = JSON.readTree(r.getValue());
                    if (r.getKey() == 201) {
                        return Mono.just(body.get("data").get("purchaseId").asString());
                    }
                    // sold out is not over while holds may come back: the sale's state says
                    return store.view(saleId).flatMap(v -> v.state() == SaleState.ENDED || Instant.now().isAfter(deadline)
                            ? Mono.just("") : Mono.error(new IllegalStateException("again")));
                })
                .retryWhen(reactor.util.retry.Retry.fixedDelay(Long.MAX_VALUE, Duration.ofMillis(100)))
                .filter(pid -> !pid.isEmpty());
    }

    private List<String> ledger(String saleId, String purchaseId) {
        return db.sql("SELECT event, payment_id FROM purchase_events WHERE sale_id = $1 AND purchase_id = $2")
                .bind(0, saleId).bind(1, purchaseId)
                .map(row -> (row.get(0, String.class) + " " + row.get(1, String.class)).strip()).all()
                .collectList().block(Duration.ofSeconds(10));
    }

    private String statusInDb(String saleId, String purchaseId) {
        return statusesInDb(saleId).get(purchaseId);
    }

    private Map<String, String> statusesInDb(String saleId) {
        return db.sql("SELECT purchase_id, status FROM purchases WHERE sale_id = $1").bind(0, saleId)
                .map(row -> Map.entry(row.get(0, String.class), row.get(1, String.class))).all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue).block(Duration.ofSeconds(10));
    }
}
