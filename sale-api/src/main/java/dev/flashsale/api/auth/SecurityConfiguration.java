package dev.flashsale.api.auth;

import dev.flashsale.api.config.FlashsaleProperties;
import dev.flashsale.api.config.FlashsaleProperties.AuthMode;
import dev.flashsale.api.web.ApiError;
import dev.flashsale.api.web.Cidr;
import dev.flashsale.api.web.ClientAddress;
import dev.flashsale.api.web.ErrorHandler;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.authentication.ServerAuthenticationEntryPointFailureHandler;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.security.web.server.util.matcher.OrServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import org.springframework.web.reactive.result.method.annotation.ArgumentResolverConfigurer;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import reactor.core.publisher.Mono;

/**
 * Sign-in (docs/contract/api.md): only the endpoints that act for a shopper pass Spring Security's
 * chain; reads, event streams and health never enter it. Stateless: no session, no CSRF (nothing
 * rides on cookies), no saved requests.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
public class SecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    static final ServerWebExchangeMatcher SHOPPER_ENDPOINTS = new OrServerWebExchangeMatcher(
            ServerWebExchangeMatchers.pathMatchers(HttpMethod.POST, "/api/v1/sales/*/purchases"),
            ServerWebExchangeMatchers.pathMatchers(HttpMethod.GET, "/api/v1/sales/*/purchases/me"),
            ServerWebExchangeMatchers.pathMatchers(HttpMethod.DELETE, "/api/v1/sales/*/purchases/me"));

    @Bean
    SecurityWebFilterChain shopperSecurity(ServerHttpSecurity http, FlashsaleProperties props, ErrorHandler errors,
                                           ObjectProvider<ReactiveJwtDecoder> jwtDecoder) {
        FlashsaleProperties.Auth auth = props.auth();
        if (auth.mode() == AuthMode.NONE) {
            log.warn("flashsale.auth.mode=none: a shopper is whoever the {} header says. For tests and benchmarks"
                    + " only, never where people shop.", auth.header());
            return http.securityMatcher(exchange -> ServerWebExchangeMatcher.MatchResult.notMatch()).build();
        }
        UnauthenticatedEntryPoint unauthenticated = new UnauthenticatedEntryPoint(errors, auth.mode(), auth.header());
        http.securityMatcher(SHOPPER_ENDPOINTS)
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .requestCache(cache -> cache.requestCache(NoOpServerRequestCache.getInstance()))
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .authorizeExchange(exchanges -> exchanges.anyExchange().authenticated())
                .exceptionHandling(handling -> handling.authenticationEntryPoint(unauthenticated));
        if (auth.mode() == AuthMode.OIDC) {
            if (jwtDecoder.getIfAvailable() == null) {
                throw new IllegalStateException("flashsale.auth.mode is oidc but no issuer is configured: set"
                        + " FLASHSALE_AUTH_ISSUER_URI (spring.security.oauth2.resourceserver.jwt.issuer-uri),"
                        + " or FLASHSALE_AUTH_MODE=none for tests and benchmarks");
            }
            // the decoder and the principal claim are Boot's, from spring.security.oauth2.resourceserver.jwt.*
            http.oauth2ResourceServer(server -> server.jwt(Customizer.withDefaults())
                    .authenticationEntryPoint(unauthenticated));
        } else {
            http.addFilterAt(gatewayAuthentication(auth, unauthenticated), SecurityWebFiltersOrder.AUTHENTICATION);
        }
        return http.build();
    }

    /** trusted-header: the header names the shopper when, and only when, the TCP peer is a gateway. */
    private static AuthenticationWebFilter gatewayAuthentication(FlashsaleProperties.Auth auth,
                                                                 UnauthenticatedEntryPoint unauthenticated) {
        List<Cidr> gateways = auth.gateways().stream().filter(s -> !s.isBlank()).map(Cidr::parse).toList();
        if (gateways.isEmpty()) {
            throw new IllegalStateException("flashsale.auth.mode is trusted-header but flashsale.auth.gateways is"
                    + " empty: name the CIDRs of the gateway that sets " + auth.header());
        }
        ReactiveAuthenticationManager alreadyAuthenticated = Mono::just;
        AuthenticationWebFilter filter = new AuthenticationWebFilter(alreadyAuthenticated);
        filter.setServerAuthenticationConverter(exchange -> {
            String id = exchange.getRequest().getHeaders().getFirst(auth.header());
            InetAddress peer = ClientAddress.peer(exchange.getRequest());
            if (id == null || peer == null || gateways.stream().noneMatch(cidr -> cidr.contains(peer))) {
                return Mono.empty();
            }
            return Mono.just(new PreAuthenticatedAuthenticationToken(id, "", List.of()));
        });
        filter.setSecurityContextRepository(NoOpServerSecurityContextRepository.getInstance());
        filter.setAuthenticationFailureHandler(new ServerAuthenticationEntryPointFailureHandler(unauthenticated));
        return filter;
    }

    /**
     * Spring Security's firewall refuses every request it finds suspicious (a path with encoded dots
     * or slashes or not normalized, a method outside HTTP's, a header with control characters),
     * whichever chain would match; its own answer is a bare 400. In the envelope instead: such a
     * path names no route of ours (404), such a method none either (405), a header is the client's
     * mistake (400).
     */
    @Bean
    ServerExchangeRejectedHandler rejectedInTheEnvelope(ErrorHandler errors) {
        return (exchange, rejected) -> {
            String why = String.valueOf(rejected.getMessage());
            ApiError error = why.contains("HTTP method")
                    ? new ApiError(HttpStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "This method is not allowed here.")
                    : why.contains("header")
                    ? ApiError.validation(Map.of("headers", "contain characters that are not allowed"))
                    : new ApiError(HttpStatus.NOT_FOUND, "NOT_FOUND", "No such resource.");
            return errors.handle(exchange, error);
        };
    }

    @Bean
    WebFluxConfigurer shopperArguments(FlashsaleProperties props) {
        return new WebFluxConfigurer() {
            @Override
            public void configureArgumentResolvers(ArgumentResolverConfigurer configurer) {
                configurer.addCustomResolver(new ShopperResolver(props.auth()));
            }
        };
    }
}
