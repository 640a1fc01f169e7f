package dev.flashsale.api.auth;

import dev.flashsale.api.config.FlashsaleProperties.AuthMode;
import dev.flashsale.api.web.ApiError;
import dev.flashsale.api.web.ErrorHandler;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * 401 UNAUTHENTICATED in the contract's envelope, with the RFC 6750 challenge: a missing token
 * gets a bare {@code Bearer}, a refused one says why ({@code error="invalid_token"}).
 */
final class UnauthenticatedEntryPoint implements ServerAuthenticationEntryPoint {

    private final ErrorHandler errors;
    private final String missing;

    UnauthenticatedEntryPoint(ErrorHandler errors, AuthMode mode, String header) {
        this.errors = errors;
        this.missing = mode == AuthMode.OIDC
                ? "Sign in first: buying needs an access token of the shop's identity provider (Authorization: Bearer)."
                : "The shopper is not identified: the " + header + " header is only believed from the shop's gateway.";
    }

    @Override
    public Mono<Void> commence(ServerWebExchange exchange, AuthenticationException e) {
        String message = missing;
        StringBuilder challenge = new StringBuilder("Bearer");
        if (e instanceof OAuth2AuthenticationException refused) {
            OAuth2Error error = refused.getError();
            challenge.append(" error=\"").append(error.getErrorCode()).append('"');
            if (error.getDescription() != null) {
                String description = error.getDescription().replace('"', '\'');
                challenge.append(", error_description=\"").append(description).append('"');
                message = "The access token was refused: " + description;
            }
        }
        exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, challenge.toString());
        return errors.handle(exchange, new ApiError(HttpStatus.UNAUTHORIZED, "UNAUTHENTICATED", message));
    }
}
