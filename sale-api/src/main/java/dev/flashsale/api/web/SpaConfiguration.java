package dev.flashsale.api.web;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.FileSystemResource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.config.ResourceHandlerRegistry;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Serves the built SPA on the same origin (local stack; production serves the same files from a
 * CDN). Hashed assets are cached for a year; index.html, which names them, is never cached, and it
 * answers the SPA's own routes so that a reload of /sales/x works.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty("flashsale.web.spa-dir")
public class SpaConfiguration implements WebFluxConfigurer {

    private final Path dir;

    public SpaConfiguration(@Value("${flashsale.web.spa-dir}") String dir) {
        this.dir = Path.of(dir);
    }

    @Override
    public void addResourceHandlers(ResourceHandlerRegistry registry) {
        registry.addResourceHandler("/assets/**")
                .addResourceLocations(dir.resolve("assets").toUri().toString())
                .setCacheControl(CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable());
    }

    @Bean
    RouterFunction<ServerResponse> spaRoutes() {
        FileSystemResource index = new FileSystemResource(dir.resolve("index.html"));
        return RouterFunctions.route()
                .GET("/", r -> index(index))
                .GET("/sales/{saleId}", r -> index(index))
                // where the identity provider sends the shopper back after sign-in (authorization code)
                .GET("/auth/callback", r -> index(index))
                .build();
    }

    private static reactor.core.publisher.Mono<ServerResponse> index(FileSystemResource index) {
        return ServerResponse.ok().contentType(MediaType.TEXT_HTML).cacheControl(CacheControl.noCache()).bodyValue(index);
    }
}
