package dev.flashsale.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.core.SaleSpec;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.TestPropertySource;

/**
 * trusted-header mode, the tests' 127.0.0.1 being the gateway: its X-User-Id names the shopper.
 * {@link TrustedHeaderFromElsewhereIT} is the same request from an address that is not a gateway.
 */
@TestPropertySource(properties = {"flashsale.auth.mode=trusted-header", "flashsale.auth.gateways=10.0.0.0/8,127.0.0.1/32"})
class TrustedHeaderIT extends ApiTestSupport {

    @Test
    void theGatewaysHeaderNamesTheShopper() {
        SaleSpec sale = activeSale("gateway-ok", 10, 1);
        buy(sale.id(), "gw-alice").expectStatus().isCreated().expectBody().jsonPath("$.data.userId").isEqualTo("gw-alice");
        http.get().uri("/api/v1/sales/{id}/purchases/me", sale.id()).header("X-User-Id", "gw-alice").exchange()
                .expectStatus().isOk().expectBody().jsonPath("$.data.userId").isEqualTo("gw-alice");
        http.get().uri("/api/v1/config").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.data.auth.mode").isEqualTo("trusted-header")
                .jsonPath("$.data.auth.issuer").doesNotExist();
    }

    @Test
    void withoutTheHeaderEvenTheGatewaysRequestIsUnauthenticated() {
        SaleSpec sale = activeSale("gateway-none", 10, 1);
        http.post().uri("/api/v1/sales/{id}/purchases", sale.id()).exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().exists(HttpHeaders.WWW_AUTHENTICATE)
                .expectBody().jsonPath("$.error.code").isEqualTo("UNAUTHENTICATED");
        assertThat(view(sale.id()).sold()).isZero();
    }
}

/** trusted-header mode with gateways elsewhere: the same header from 127.0.0.1 is refused. */
@TestPropertySource(properties = {"flashsale.auth.mode=trusted-header", "flashsale.auth.gateways=10.0.0.0/8"})
class TrustedHeaderFromElsewhereIT extends ApiTestSupport {

    @Test
    void aShopperHeaderFromAnAddressThatIsNoGatewayIsRefused() {
        SaleSpec sale = activeSale("gateway-spoof", 10, 1);
        buy(sale.id(), "spoofed-alice").expectStatus().isUnauthorized()
                .expectBody().jsonPath("$.error.code").isEqualTo("UNAUTHENTICATED")
                .jsonPath("$.error.message").value(m -> assertThat((String) m).contains("gateway"));
        http.get().uri("/api/v1/sales/{id}/purchases/me", sale.id()).header("X-User-Id", "spoofed-alice").exchange()
                .expectStatus().isUnauthorized();
        assertThat(view(sale.id()).sold()).isZero();
    }
}
