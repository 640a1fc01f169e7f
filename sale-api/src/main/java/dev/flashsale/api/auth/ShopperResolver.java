package dev.flashsale.api.auth;

import dev.flashsale.api.config.FlashsaleProperties;
import java.security.Principal;
import org.springframework.core.MethodParameter;
import org.springframework.web.reactive.BindingContext;
import org.springframework.web.reactive.result.method.HandlerMethodArgumentResolver;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Resolves {@link Shopper} arguments. In the oidc and trusted-header modes Spring Security has
 * authenticated the request before the handler runs (SecurityConfiguration), so the principal is
 * there; in none mode the header is taken as said.
 */
final class ShopperResolver implements HandlerMethodArgumentResolver {

    private final FlashsaleProperties.AuthMode mode;
    private final String header;
    private final String tokenSource;

    ShopperResolver(FlashsaleProperties.Auth auth) {
        this.mode = auth.mode();
        this.header = auth.header();
        this.tokenSource = mode == FlashsaleProperties.AuthMode.OIDC ? "token" : header;
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == Shopper.class;
    }

    @Override
    public Mono<Object> resolveArgument(MethodParameter parameter, BindingContext context, ServerWebExchange exchange) {
        if (mode == FlashsaleProperties.AuthMode.NONE) {
            return Mono.just(new Shopper(exchange.getRequest().getHeaders().getFirst(header), header));
        }
        return exchange.getPrincipal().map(Principal::getName)
                .map(id -> (Object) new Shopper(id, tokenSource))
                .defaultIfEmpty(new Shopper(null, tokenSource));
    }
}
