package dev.flashsale.api.health;

import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClient;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code GET /health}: are Redis, PostgreSQL and Kafka reachable from this pod? 200 when all are,
 * else 503 with the failing checks; the 503 also carries the contract's error envelope.
 */
@RestController
public class HealthController {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final StatefulRedisConnection<String, String> redis;
    private final DatabaseClient db;
    private final AdminClient kafka;

    public HealthController(StatefulRedisConnection<String, String> redis, DatabaseClient db, AdminClient healthAdminClient) {
        this.redis = redis;
        this.db = db;
        this.kafka = healthAdminClient;
    }

    @GetMapping("/health")
    public Mono<ResponseEntity<Map<String, Object>>> health() {
        return Mono.zip(
                check(redis.reactive().ping()),
                check(db.sql("SELECT 1").fetch().one()),
                check(Mono.fromFuture(() -> kafka.describeCluster().clusterId().toCompletionStage().toCompletableFuture()))
        ).map(t -> {
            Map<String, Object> checks = new LinkedHashMap<>();
            checks.put("redis", t.getT1());
            checks.put("postgres", t.getT2());
            checks.put("kafka", t.getT3());
            boolean up = checks.values().stream().allMatch(c -> "UP".equals(((Map<?, ?>) c).get("status")));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", up ? "UP" : "DOWN");
            body.put("checks", checks);
            if (!up) {
                body.put("success", false);
                body.put("error", Map.of("code", "SERVICE_UNAVAILABLE", "message", "A dependency is unreachable."));
            }
            return ResponseEntity.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(body);
        });
    }

    private static Map<String, Object> result(String status, String key, Object value) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("status", status);
        r.put(key, value);
        return r;
    }

    private static Mono<Map<String, Object>> check(Mono<?> probe) {
        return Mono.defer(() -> {
            long start = System.nanoTime();
            return probe.timeout(TIMEOUT)
                    .map(ok -> result("UP", "latencyMs", (System.nanoTime() - start) / 1_000_000))
                    .onErrorResume(e -> Mono.just(result("DOWN", "error", String.valueOf(e.getMessage()))));
        });
    }
}
