package dev.flashsale.core.bench;

import dev.flashsale.core.PurchaseRequest;
import dev.flashsale.core.SaleSpec;
import dev.flashsale.core.SaleStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;

/**
 * The ceiling of the design on this machine: purchase script calls per second through one Lettuce
 * connection, with no HTTP in front. Prints {@code RESULT calls_per_s=N}.
 * Arguments: [seconds (10)] [calls in flight (256)]; Redis from FLASHSALE_REDIS_URL.
 */
public final class ScriptBench {

    private ScriptBench() {}

    public static void main(String[] args) {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int inFlight = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        RedisClient client = RedisClient.create(System.getenv().getOrDefault("FLASHSALE_REDIS_URL", "redis://127.0.0.1:6379"));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            SaleStore store = new SaleStore(connection.reactive());
            Instant now = store.serverTime().block();
            String id = "bench-lua-" + UUID.randomUUID().toString().substring(0, 8);
            store.upsert(new SaleSpec(id, "BENCH-LUA", "Script benchmark", SaleSpec.MAX_STOCK, 1,
                    now.minusSeconds(1), now.plus(Duration.ofHours(1)), false, false)).block();
            AtomicLong user = new AtomicLong();
            // warm-up, then the measured window
            run(store, id, user, inFlight, Duration.ofSeconds(2));
            long before = user.get();
            long start = System.nanoTime();
            run(store, id, user, inFlight, Duration.ofSeconds(seconds));
            double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf("RESULT calls_per_s=%.0f calls=%d in_flight=%d sale=%s%n",
                    (user.get() - before) / elapsed, user.get() - before, inFlight, id);
            store.delete(id, true).block();
        } finally {
            client.shutdown();
        }
    }

    private static void run(SaleStore store, String saleId, AtomicLong user, int inFlight, Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        Flux.<Long>generate(sink -> {
                    if (System.nanoTime() < end) {
                        sink.next(user.incrementAndGet());
                    } else {
                        sink.complete();
                    }
                })
                .flatMap(n -> store.purchase(new PurchaseRequest(saleId, "u" + n, 1, null)), inFlight)
                .blockLast();
    }
}
