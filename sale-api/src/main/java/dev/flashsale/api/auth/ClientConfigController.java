package dev.flashsale.api.auth;

import dev.flashsale.api.config.FlashsaleProperties;
import dev.flashsale.api.config.FlashsaleProperties.AuthMode;
import dev.flashsale.api.web.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.security.oauth2.server.resource.autoconfigure.OAuth2ResourceServerProperties;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** GET /api/v1/config: how the SPA signs a shopper in and where it sends them to pay, decided once at start. */
@RestController
public class ClientConfigController {

    private final Json.Ok config;

    public ClientConfigController(FlashsaleProperties props, OAuth2ResourceServerProperties resourceServer) {
        AuthMode mode = props.auth().mode();
        Map<String, Object> auth = new LinkedHashMap<>();
        auth.put("mode", mode.name().toLowerCase().replace('_', '-'));
        String issuer = resourceServer.getJwt().getIssuerUri();
        // without an issuer (a benchmark's bare public key) browsers have nowhere to sign in
        if (mode == AuthMode.OIDC && issuer != null && !issuer.isBlank()) {
            auth.put("issuer", issuer);
            auth.put("clientId", props.auth().clientId());
        }
        String paymentUrl = props.checkout().paymentUrl();
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("auth", auth);
        config.put("checkout", paymentUrl.isBlank() ? null : Map.of("paymentUrl", paymentUrl));
        this.config = new Json.Ok(config);
    }

    @GetMapping(path = "/api/v1/config", produces = MediaType.APPLICATION_JSON_VALUE)
    public Json.Ok config() {
        return config;
    }
}
