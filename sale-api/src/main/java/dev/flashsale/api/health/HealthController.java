package dev.flashsale.api.health;

import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code GET /health}: are Redis, PostgreSQL and Kafka reachable from this pod? 200 when all are,
 * else 503 with the failing checks; the 503 also carries the contract's error envelope.
 *
 * <p>It is public, so it must be cheap and discreet: the three probes run at most once per
 * {@link #FRESH_FOR} however many callers ask (all share the last answer), and the answer holds
 * only UP/DOWN per dependency. Why a dependency is down (host names, exception texts) goes to the
 * log, at most once per probe.
 */
@RestController
public class HealthController {

    private static final Logger log = LoggerFactory.getLogger(HealthController.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    static final Duration FRESH_FOR = Duration.ofSeconds(1);

    private final Mono<ResponseEntity<Map<String, Object>>> answer;

    public HealthController(StatefulRedisConnection<String, String> redis, DatabaseClient db, AdminClient healthAdminClient) {
        this.answer = Mono.zip(
                        check("redis", redis.reactive().ping()),
                        check("postgres", db.sql("SELECT 1").fetch().one()),
                        check("kafka", Mono.fromFuture(() -> healthAdminClient.describeCluster().clusterId()
                                .toCompletionStage().toCompletableFuture())))
                .map(t -> respond(Map.of("redis", t.getT1(), "postgres", t.getT2(), "kafka", t.getT3())))
                .cache(FRESH_FOR);
    }

    @GetMapping("/health")
    public Mono<ResponseEntity<Map<String, Object>>> health() {
        return answer;
    }

    private static ResponseEntity<Map<String, Object>> respond(Map<String, String> statuses) {
        Map<String, Object> checks = new LinkedHashMap<>();
        for (String name : new String[] {"redis", "postgres", "kafka"}) {
            checks.put(name, Map.of("status", statuses.get(name)));
        }
        boolean up = statuses.values().stream().allMatch("UP"::equals);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("checks", checks);
        if (!up) {
            body.put("success", false);
            body.put("error", Map.of("code", "SERVICE_UNAVAILABLE", "message", "A dependency is unreachable."));
        }
        return ResponseEntity.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(body);
    }

    private static Mono<String> check(String name, Mono<?> probe) {
        return Mono.defer(() -> probe.timeout(TIMEOUT).thenReturn("UP"))
                .onErrorResume(e -> {
                    log.warn("health: {} is DOWN: {}", name, e.toString());
                    return Mono.just("DOWN");
                });
    }
}
