package dev.flashsale.operator;

import dev.flashsale.core.SaleStore;
import dev.flashsale.core.testing.RedisFixture;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The test Redis (FLASHSALE_REDIS_URL, as for sale-core's RedisFixture), but its logical database
 * {@value #DATABASE}: sale-api's tests may run their outbox relay and consumer against the same Redis
 * at the same time, and would then persist these tests' purchases behind their back. Pub/sub is not
 * per database, which the operator does not mind (events of unknown sales trigger nothing).
 */
final class TestRedis implements AutoCloseable {

    static final int DATABASE = 9;

    private final RedisClient client = RedisClient.create(url());
    private final StatefulRedisConnection<String, String> connection = client.connect();
    private final SaleStore store = new SaleStore(connection.reactive());

    static String url() {
        RedisURI uri = RedisURI.create(RedisFixture.redisUrl());
        uri.setDatabase(DATABASE);
        return uri.toURI().toString();
    }

    SaleStore store() {
        return store;
    }

    StatefulRedisConnection<String, String> connection() {
        return connection;
    }

    /** Milliseconds, the precision of the scripts' clock. */
    Instant redisNow() {
        return store.serverTime().block().truncatedTo(ChronoUnit.MILLIS);
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
