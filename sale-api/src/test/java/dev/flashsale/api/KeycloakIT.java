package dev.flashsale.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.core.SaleSpec;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The local stack's real identity provider (Keycloak with deploy/keycloak/flashsale-realm.json,
 * started by ./flashsale test): its access tokens carry what sale-api checks (issuer, the
 * flashsale-api audience, RS256 from its JWKS), and the shopper is the token's subject.
 */
class KeycloakIT extends ApiTestSupport {

    private static final String ISSUER = System.getenv("FLASHSALE_AUTH_ISSUER_URI");
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void oidc(DynamicPropertyRegistry registry) {
        if (ISSUER == null || ISSUER.isBlank()) {
            throw new IllegalStateException("FLASHSALE_AUTH_ISSUER_URI is not set: run the suite with ./flashsale test,"
                    + " which starts Keycloak (scripts/services.sh --profile test start-one keycloak)");
        }
        registry.add("flashsale.auth.mode", () -> "oidc");
        registry.add("spring.security.oauth2.resourceserver.jwt.issuer-uri", () -> ISSUER);
    }

    /** A demo shopper's access token by the password grant of the scripted client, flashsale-cli. */
    private static String token(String user) throws IOException, InterruptedException {
        String form = "grant_type=password&client_id=flashsale-cli&scope=openid&username=" + user
                + "&password=" + URLEncoder.encode("shopper", StandardCharsets.UTF_8);
        HttpResponse<String> answer = CLIENT.send(HttpRequest.newBuilder(URI.create(ISSUER + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return JSON.readTree(answer.body()).get("access_token").asString();
    }

    private static JsonNode claims(String token) {
        return JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
    }

    @Test
    void aKeycloakShopperBuysAsTheTokensSubjectAndSeesOnlyTheirOwnPurchase() throws Exception {
        SaleSpec sale = activeSale("keycloak", 10, 1);
        String alice = token("alice");
        String bob = token("bob");
        String aliceId = claims(alice).get("sub").asString();
        assertThat(claims(alice).get("iss").asString()).isEqualTo(ISSUER);

        http.post().uri("/api/v1/sales/{id}/purchases", sale.id()).headers(h -> h.setBearerAuth(alice))
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"qty\":1}").exchange()
                .expectStatus().isCreated().expectBody().jsonPath("$.data.userId").isEqualTo(aliceId);
        http.get().uri("/api/v1/sales/{id}/purchases/me", sale.id()).headers(h -> h.setBearerAuth(alice)).exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.data.userId").isEqualTo(aliceId);
        http.get().uri("/api/v1/sales/{id}/purchases/me", sale.id()).headers(h -> h.setBearerAuth(bob)).exchange()
                .expectStatus().isNotFound();
        http.get().uri("/api/v1/config").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.data.auth.issuer").isEqualTo(ISSUER)
                .jsonPath("$.data.auth.clientId").isEqualTo("flashsale-spa");
    }

    @Test
    void theSpasPublicClientGetsNoTokenForAPassword() throws Exception {
        String form = "grant_type=password&client_id=flashsale-spa&username=alice&password=shopper";
        HttpResponse<String> answer = CLIENT.send(HttpRequest.newBuilder(URI.create(ISSUER + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("unauthorized_client");
    }
}
