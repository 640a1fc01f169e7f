package dev.flashsale.core.testing;

import dev.flashsale.core.SaleSpec;
import dev.flashsale.core.SaleStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * The real Redis of the test profile (scripts/services.sh --profile test), found through
 * FLASHSALE_REDIS_URL as set by ./flashsale test. Shared by sale-core's and sale-api's tests.
 */
public final class RedisFixture implements AutoCloseable {

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final SaleStore store;

    public RedisFixture() {
        client = RedisClient.create(redisUrl());
        connection = client.connect();
        store = new SaleStore(connection.reactive());
    }

    public static String redisUrl() {
        String url = System.getenv("FLASHSALE_REDIS_URL");
        if (url == null) {
            throw new IllegalStateException("FLASHSALE_REDIS_URL is not set: run the tests with ./flashsale test");
        }
        return url;
    }

    public SaleStore store() {
        return store;
    }

    public StatefulRedisConnection<String, String> connection() {
        return connection;
    }

    /** Milliseconds, the precision of the scripts' clock. */
    public Instant redisNow() {
        return store.serverTime().block().truncatedTo(ChronoUnit.MILLIS);
    }

    /** A unique sale id per test, so tests never see each other's sales. */
    public static String uniqueSaleId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** An ACTIVE sale (started a minute ago by the Redis clock, ending in an hour). */
    public SaleSpec activeSale(String prefix, long stock, int perUserLimit) {
        Instant now = redisNow();
        return new SaleSpec(uniqueSaleId(prefix), "SKU-" + prefix.toUpperCase(), "Test " + prefix, stock, perUserLimit,
                now.minus(Duration.ofMinutes(1)), now.plus(Duration.ofHours(1)), false, false);
    }

    public SaleSpec created(SaleSpec spec) {
        store.upsert(spec).block();
        return spec;
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
