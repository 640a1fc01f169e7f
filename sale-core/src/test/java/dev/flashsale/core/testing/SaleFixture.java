package dev.flashsale.core.testing;

import dev.flashsale.core.SaleSpec;
import dev.flashsale.core.SaleStore;
import dev.flashsale.testing.TestIds;
import dev.flashsale.testing.TestRedis;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;

/**
 * Sales in the test profile's real Redis through sale-core's {@link SaleStore}: the one place the
 * integration tests of sale-core, sale-api and the operator make their sales.
 */
public final class SaleFixture implements AutoCloseable {

    private final TestRedis redis;
    private final SaleStore store;

    /** Database 0, where sale-api runs in the tests. */
    public SaleFixture() {
        this(new TestRedis());
    }

    public SaleFixture(TestRedis redis) {
        this.redis = redis;
        this.store = new SaleStore(redis.connection().reactive());
    }

    public SaleStore store() {
        return store;
    }

    public TestRedis redis() {
        return redis;
    }

    public StatefulRedisConnection<String, String> connection() {
        return redis.connection();
    }

    /** The Redis clock, which decides every time rule of a sale. */
    public Instant now() {
        return redis.now();
    }

    /** A spec of a sale with a unique id; nothing is written. */
    public static SaleSpec spec(String prefix, long stock, int perUserLimit, Instant start, Instant end) {
        return new SaleSpec(TestIds.unique(prefix), "SKU-" + prefix.toUpperCase(), "Test " + prefix, stock, perUserLimit,
                start, end, false, false);
    }

    /** The spec of a sale that is ACTIVE by the Redis clock: started a minute ago, ending in an hour. */
    public SaleSpec activeSale(String prefix, long stock, int perUserLimit) {
        Instant now = now();
        return spec(prefix, stock, perUserLimit, now.minus(Duration.ofMinutes(1)), now.plus(Duration.ofHours(1)));
    }

    /** Creates the sale in Redis. */
    public SaleSpec created(SaleSpec spec) {
        store.upsert(spec).block();
        return spec;
    }

    @Override
    public void close() {
        redis.close();
    }
}
