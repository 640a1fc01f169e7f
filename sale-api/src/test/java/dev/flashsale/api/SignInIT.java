package dev.flashsale.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.core.SaleSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;

/**
 * The oidc mode (docs/contract/api.md, "Sign-in"): sale-api as an OAuth2 resource server of an
 * issuer that serves discovery and a JWKS over HTTP. The shopper is the token's subject, never
 * what the client says; every token that is not this issuer's, for this audience, now, is refused.
 */
class SignInIT extends ApiTestSupport {

    private static final TestIssuer ISSUER = new TestIssuer();

    @DynamicPropertySource
    static void oidc(DynamicPropertyRegistry registry) {
        registry.add("flashsale.auth.mode", () -> "oidc");
        registry.add("spring.security.oauth2.resourceserver.jwt.issuer-uri", ISSUER::url);
        // every shopper of these tests comes from 127.0.0.1: the per-user limiter is the subject of other tests
        registry.add("flashsale.rate-limit.per-user.enabled", () -> "false");
    }

    @AfterAll
    static void close() {
        ISSUER.close();
    }

    private static String shopper() {
        return "shopper-" + UUID.randomUUID();
    }

    private WebTestClient.ResponseSpec buyWith(String saleId, String token) {
        return http.post().uri("/api/v1/sales/{id}/purchases", saleId)
                .headers(h -> { if (token != null) h.setBearerAuth(token); })
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"qty\":1}").exchange();
    }

    private WebTestClient.ResponseSpec mine(String saleId, String token) {
        return http.get().uri("/api/v1/sales/{id}/purchases/me", saleId).headers(h -> h.setBearerAuth(token)).exchange();
    }

    @Test
    void aValidTokenBuysForItsSubjectWhateverHeaderTheClientAdds() {
        SaleSpec sale = activeSale("oidc-buy", 10, 1);
        String alice = shopper();
        http.post().uri("/api/v1/sales/{id}/purchases", sale.id()).headers(h -> h.setBearerAuth(ISSUER.token(alice)))
                .header("X-User-Id", "someone-else").exchange()
                .expectStatus().isCreated()
                .expectBody().jsonPath("$.data.userId").isEqualTo(alice);
        mine(sale.id(), ISSUER.token(alice)).expectStatus().isOk().expectBody().jsonPath("$.data.userId").isEqualTo(alice);
        assertThat(view(sale.id()).sold()).isEqualTo(1);
    }

    @Test
    void everyTokenThatIsNotTheIssuersForThisAudienceNowIsRefusedWith401() {
        SaleSpec sale = activeSale("oidc-refused", 10, 1);
        Instant now = Instant.now();
        // beyond the 60 s of clock skew that the validators allow
        Map<String, String> tokens = Map.of(
                "expired", ISSUER.token(shopper(), c -> c.issueTime(Date.from(now.minusSeconds(900)))
                        .expirationTime(Date.from(now.minusSeconds(120)))),
                "not yet valid", ISSUER.token(shopper(), c -> c.notBeforeTime(Date.from(now.plusSeconds(300)))),
                "wrong issuer", ISSUER.token(shopper(), c -> c.issuer("http://127.0.0.1:1/realms/evil")),
                "wrong audience", ISSUER.token(shopper(), c -> c.audience("another-api")),
                "no audience", ISSUER.token(shopper(), c -> c.audience(List.of())),
                "wrong key", ISSUER.tokenOfAnotherKey(shopper()),
                "alg none", ISSUER.unsignedToken(shopper()),
                "garbage", "not.a.token",
                "not even three parts", "garbage");
        tokens.forEach((what, token) -> buyWith(sale.id(), token)
                .expectStatus().isUnauthorized()
                .expectHeader().value(HttpHeaders.WWW_AUTHENTICATE, challenge ->
                        assertThat(challenge).as(what).startsWith("Bearer error=\"invalid_token\""))
                .expectBody().jsonPath("$.success").isEqualTo(false)
                .jsonPath("$.error.code").isEqualTo("UNAUTHENTICATED"));
        buyWith(sale.id(), null).expectStatus().isUnauthorized()
                .expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .expectBody().jsonPath("$.error.code").isEqualTo("UNAUTHENTICATED")
                .jsonPath("$.error.message").value(m -> assertThat((String) m).contains("Sign in"));
        http.get().uri("/api/v1/sales/{id}/purchases/me", sale.id()).header("X-User-Id", "anyone").exchange()
                .expectStatus().isUnauthorized();
        assertThat(view(sale.id()).sold()).isZero();
    }

    @Test
    void twoShoppersCannotSeeOrUseEachOthersPurchase() {
        SaleSpec sale = activeSale("oidc-two", 10, 1);
        String alice = shopper();
        String bob = shopper();
        buyWith(sale.id(), ISSUER.token(alice)).expectStatus().isCreated();
        mine(sale.id(), ISSUER.token(bob)).expectStatus().isNotFound()
                .expectBody().jsonPath("$.error.code").isEqualTo("PURCHASE_NOT_FOUND");
        http.get().uri("/api/v1/sales/{id}/purchases/me", sale.id()).headers(h -> h.setBearerAuth(ISSUER.token(bob)))
                .header("X-User-Id", alice).exchange().expectStatus().isNotFound();
        // bob's own allowance is untouched by alice's purchase, and alice's is spent
        buyWith(sale.id(), ISSUER.token(bob)).expectStatus().isCreated().expectBody().jsonPath("$.data.userId").isEqualTo(bob);
        buyWith(sale.id(), ISSUER.token(alice)).expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.error.code").isEqualTo("ALREADY_PURCHASED");
    }

    @Test
    void aBotThatRotatesMadeUpIdsGetsNothing() {
        SaleSpec sale = activeSale("oidc-bot", 100, 1);
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String madeUp = "bot-" + i;
            statuses.add(http.post().uri("/api/v1/sales/{id}/purchases", sale.id()).header("X-User-Id", madeUp)
                    .exchange().returnResult(String.class).getStatus().value());
            // a token it signed itself for each made-up subject
            statuses.add(buyWith(sale.id(), ISSUER.tokenOfAnotherKey(madeUp)).returnResult(String.class).getStatus().value());
        }
        assertThat(statuses).containsOnly(401);
        assertThat(view(sale.id()).sold()).isZero();
    }

    @Test
    void theLimitHoldsForOneTokenUsedByManyConcurrentRequests() {
        SaleSpec sale = activeSale("oidc-herd", 100, 2);
        String token = ISSUER.token(shopper());
        var client = concurrentClient(40);
        List<Integer> statuses = Flux.range(0, 40)
                .flatMap(i -> client.post().uri("/api/v1/sales/{id}/purchases", sale.id())
                        .headers(h -> h.setBearerAuth(token)).exchangeToMono(r -> r.releaseBody().thenReturn(r.statusCode().value())), 40)
                .collectList().block();
        assertThat(statuses).filteredOn(s -> s == 201).hasSize(2);
        assertThat(statuses).filteredOn(s -> s != 201).containsOnly(409);
        assertThat(view(sale.id()).sold()).isEqualTo(2);
    }

    @Test
    void rotatedKeysAreFollowedAndTheJwksIsNotFetchedPerRequest() {
        SaleSpec sale = activeSale("oidc-rotate", 100, 1);
        buyWith(sale.id(), ISSUER.token(shopper())).expectStatus().isCreated();
        int before = ISSUER.jwksFetches();
        for (int i = 0; i < 10; i++) {
            buyWith(sale.id(), ISSUER.token(shopper())).expectStatus().isCreated();
        }
        assertThat(ISSUER.jwksFetches()).isEqualTo(before);
        ISSUER.rotateKey();
        buyWith(sale.id(), ISSUER.token(shopper())).expectStatus().isCreated();
        assertThat(ISSUER.jwksFetches()).isEqualTo(before + 1);
    }

    @Test
    void readsEventsHealthAndTheClientConfigStayPublic() {
        SaleSpec sale = activeSale("oidc-public", 10, 1);
        http.get().uri("/api/v1/sales").exchange().expectStatus().isOk();
        http.get().uri("/api/v1/sales/{id}", sale.id()).exchange().expectStatus().isOk();
        http.get().uri("/health").exchange().expectStatus().isOk();
        String firstEvent = concurrentClient(1).get().uri("/api/v1/sales/{id}/events", sale.id())
                .accept(MediaType.TEXT_EVENT_STREAM).retrieve().bodyToFlux(String.class).next().block();
        assertThat(firstEvent).contains(sale.id());
        http.get().uri("/api/v1/config").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.data.auth.mode").isEqualTo("oidc")
                .jsonPath("$.data.auth.issuer").isEqualTo(ISSUER.url())
                .jsonPath("$.data.auth.clientId").isEqualTo("flashsale-spa");
    }
}
