package dev.flashsale.api.health;

import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Readiness: a pod that cannot reach Redis can decide no purchase, so it takes no traffic. */
@Component("redisPing")
public class RedisReadiness implements ReactiveHealthIndicator {

    private final StatefulRedisConnection<String, String> redis;

    public RedisReadiness(StatefulRedisConnection<String, String> redis) {
        this.redis = redis;
    }

    @Override
    public Mono<Health> health() {
        return redis.reactive().ping().timeout(Duration.ofSeconds(1))
                .map(pong -> Health.up().build())
                .onErrorResume(e -> Mono.just(Health.down().withDetail("error", String.valueOf(e.getMessage())).build()));
    }
}
