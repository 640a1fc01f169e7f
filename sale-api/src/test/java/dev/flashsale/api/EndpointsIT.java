package dev.flashsale.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.core.SaleSpec;
import dev.flashsale.testing.TestRedis;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every endpoint of docs/contract/api.md ("Endpoints", "Conventions") other than the purchase itself,
 * Spring's own failures in the envelope, and the OpenAPI document covering every route.
 */
class EndpointsIT extends ApiTestSupport {

    @Autowired
    MeterRegistry registry;
    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;
    @Autowired
    JsonMapper json;

    @Test
    void listIsOrderedByStartTime() {
        Instant now = redisNow();
        SaleSpec later = sale("later", 5, 1, now.plusSeconds(7200), now.plusSeconds(9000));
        SaleSpec earlier = sale("earlier", 5, 1, now.plusSeconds(3600), now.plusSeconds(9000));
        http.get().uri("/api/v1/sales").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.success").isEqualTo(true)
                .jsonPath("$.data[*].id").value(List.class, ids ->
                        assertThat(ids.indexOf(earlier.id())).isNotNegative().isLessThan(ids.indexOf(later.id())));
    }

    @Test
    void saleViewWithCachingHeadersAndConditionalGet() {
        SaleSpec sale = activeSale("view", 100, 1);
        buy(sale.id(), "u1").expectStatus().isCreated();
        String etag = http.get().uri("/api/v1/sales/{id}", sale.id()).exchange().expectStatus().isOk()
                .expectHeader().valueEquals("Cache-Control", "public, max-age=1")
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody()
                .jsonPath("$.data.id").isEqualTo(sale.id())
                .jsonPath("$.data.sku").isEqualTo(sale.sku())
                .jsonPath("$.data.productName").isEqualTo(sale.productName())
                .jsonPath("$.data.state").isEqualTo("ACTIVE")
                .jsonPath("$.data.endReason").isEmpty()
                .jsonPath("$.data.initialStock").isEqualTo(100)
                .jsonPath("$.data.stock").isEqualTo(99)
                .jsonPath("$.data.sold").isEqualTo(1)
                .jsonPath("$.data.perUserLimit").isEqualTo(1)
                .jsonPath("$.data.serverTime").exists()
                .returnResult().getResponseHeaders().getETag();
        assertThat(etag).isNotBlank();
        http.get().uri("/api/v1/sales/{id}", sale.id()).header("If-None-Match", etag).exchange()
                .expectStatus().isNotModified();
        buy(sale.id(), "u2").expectStatus().isCreated();
        http.get().uri("/api/v1/sales/{id}", sale.id()).header("If-None-Match", etag).exchange()
                .expectStatus().isOk();
        http.get().uri("/api/v1/sales/no-such-sale").exchange().expectStatus().isNotFound()
                .expectBody().jsonPath("$.error.code").isEqualTo("SALE_NOT_FOUND");
    }

    @Test
    void myPurchase() {
        SaleSpec sale = activeSale("mine", 10, 1);
        http.get().uri("/api/v1/sales/{id}/purchases/me", sale.id()).exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.error.code").isEqualTo("VALIDATION_ERROR");
        http.get().uri("/api/v1/sales/{id}/purchases/me", sale.id()).header("X-User-Id", "nobody").exchange()
                .expectStatus().isNotFound().expectBody().jsonPath("$.error.code").isEqualTo("PURCHASE_NOT_FOUND");
        http.get().uri("/api/v1/sales/no-such-sale/purchases/me").header("X-User-Id", "nobody").exchange()
                .expectStatus().isNotFound().expectBody().jsonPath("$.error.code").isEqualTo("SALE_NOT_FOUND");
        buy(sale.id(), "lee").expectStatus().isCreated();
        http.get().uri("/api/v1/sales/{id}/purchases/me", sale.id()).header("X-User-Id", "lee").exchange()
                .expectStatus().isOk().expectBody()
                .jsonPath("$.data.purchaseId").value(org.hamcrest.Matchers.matchesPattern(purchaseIdPattern(sale.id())))
                .jsonPath("$.data.userId").isEqualTo("lee");
    }

    @Test
    void springsOwnFailuresUseTheEnvelope() {
        http.get().uri("/no/such/route").exchange().expectStatus().isNotFound()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody().jsonPath("$.success").isEqualTo(false).jsonPath("$.error.code").isEqualTo("NOT_FOUND");
        http.delete().uri("/api/v1/sales").exchange().expectStatus().isEqualTo(HttpStatus.METHOD_NOT_ALLOWED)
                .expectBody().jsonPath("$.error.code").isEqualTo("METHOD_NOT_ALLOWED");
        http.put().uri("/api/v1/sales/x/purchases").exchange().expectStatus().isEqualTo(HttpStatus.METHOD_NOT_ALLOWED)
                .expectBody().jsonPath("$.error.code").isEqualTo("METHOD_NOT_ALLOWED");
    }

    /** The security firewall's refusals (SecurityConfiguration) come in the envelope too, not as bare 400s. */
    @Test
    void suspiciousPathsAndMethodsAreAnsweredInTheEnvelope() {
        for (String path : new String[] {"/api/v1/sales/x/purchases/%2e%2e", "/api/v1/sales/x/%2fpurchases", "/api/v1//sales"}) {
            http.get().uri(java.net.URI.create(baseUrl() + path)).exchange().expectStatus().isNotFound()
                    .expectBody().jsonPath("$.success").isEqualTo(false).jsonPath("$.error.code").isEqualTo("NOT_FOUND");
        }
        // outside HTTP's methods, so outside what the OpenAPI validator can even name
        WebTestClient.bindToServer().baseUrl(baseUrl()).build()
                .method(HttpMethod.valueOf("FOO")).uri("/api/v1/sales").exchange().expectStatus().isEqualTo(HttpStatus.METHOD_NOT_ALLOWED)
                .expectBody().jsonPath("$.error.code").isEqualTo("METHOD_NOT_ALLOWED");
    }

    @Test
    void requestIdIsEchoedOrCreated() {
        http.get().uri("/api/v1/sales").header("X-Request-Id", "trace-123").exchange()
                .expectHeader().valueEquals("X-Request-Id", "trace-123");
        http.get().uri("/nope").exchange().expectHeader().exists("X-Request-Id");
    }

    /** Every route the application serves is in the OpenAPI document, with its methods (docs/contract/api.md). */
    @Test
    void openApiDescribesEveryEndpoint() {
        byte[] document = http.get().uri("/api/v1/openapi.json").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.openapi").isEqualTo("3.0.3").returnResult().getResponseBody();
        Set<String> described = new TreeSet<>();
        json.readTree(document).get("paths").properties().forEach(path -> path.getValue().propertyNames()
                .forEach(method -> described.add(method.toUpperCase() + " " + path.getKey())));
        Set<String> served = new TreeSet<>();
        mappings.getHandlerMethods().keySet().forEach(info -> info.getPatternsCondition().getPatterns()
                .forEach(pattern -> info.getMethodsCondition().getMethods()
                        .forEach(method -> served.add(method.name() + " " + pattern.getPatternString()))));
        assertThat(served).isNotEmpty();
        assertThat(described).containsAll(served);
    }

    @Test
    void aCrowdAskingForHealthCostsTheDependenciesAProbeASecond() throws Exception {
        try (TestRedis redis = new TestRedis()) {
            WebClient client = concurrentClient(50);
            long pingsBefore = pings(redis);
            long started = System.nanoTime();
            List<Integer> statuses = Flux.range(0, 300)
                    .flatMap(i -> client.get().uri("/health").exchangeToMono(r -> Mono.just(r.statusCode().value())), 50)
                    .collectList().block();
            long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds() + 1;
            assertThat(statuses).hasSize(300).containsOnly(200);
            // one probe per second at most, plus one that may be under way when the test begins
            assertThat(pings(redis) - pingsBefore).isLessThanOrEqualTo(seconds + 1);
        }
    }

    private static long pings(TestRedis redis) {
        String stats = redis.connection().sync().info("commandstats");
        Matcher m = Pattern.compile("cmdstat_ping:calls=(\\d+)").matcher(stats);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Test
    void healthProbesAndMetrics() {
        http.get().uri("/health").exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.status").isEqualTo("UP")
                .jsonPath("$.checks.redis.status").isEqualTo("UP")
                .jsonPath("$.checks.postgres.status").isEqualTo("UP")
                .jsonPath("$.checks.kafka.status").isEqualTo("UP")
                .jsonPath("$.checks.redis.length()").isEqualTo(1);
        http.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
        http.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
        SaleSpec sale = activeSale("metrics", 1, 1);
        // the outcome counters exist from the start (so alerts see zeros): what matters is that they move
        double successes = purchases("success");
        double soldOuts = purchases("sold_out");
        buy(sale.id(), "m1").expectStatus().isCreated();
        buy(sale.id(), "m2").expectStatus().isEqualTo(HttpStatus.CONFLICT);
        assertThat(purchases("success")).isEqualTo(successes + 1);
        assertThat(purchases("sold_out")).isEqualTo(soldOuts + 1);
        String metrics = http.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(metrics).containsPattern("(?m)^flashsale_purchases_total\\{[^}]*outcome=\"success\"[^}]*\\} [1-9]")
                .contains("flashsale_lua_duration_seconds_bucket", "flashsale_sse_connections", "flashsale_outbox_backlog",
                        "flashsale_purchases_in_flight", "http_server_requests_seconds");
    }

    /** The benchmark's yardsticks: a GET and a POST that reads its body, neither touching Redis. */
    @Test
    void pingAnswersAGetAndAPostWithABody() {
        http.get().uri("/api/v1/ping").exchange().expectStatus().isOk().expectBody().jsonPath("$.data").isEqualTo("pong");
        http.post().uri("/api/v1/ping").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"qty\":1}")
                .exchange().expectStatus().isOk().expectBody().jsonPath("$.data").isEqualTo("pong");
    }

    private double purchases(String outcome) {
        return registry.get("flashsale.purchases").tag("outcome", outcome).counter().count();
    }
}
