package dev.flashsale.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Instant;
import java.util.List;

/**
 * The real Redis of the test profile (scripts/services.sh --profile test), found through
 * {@code FLASHSALE_REDIS_URL} as {@code ./flashsale test} sets it, in one of its logical databases.
 */
public final class TestRedis implements AutoCloseable {

    private final String url;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    /** Database 0, where sale-api runs in the tests. */
    public TestRedis() {
        this(0);
    }

    /**
     * @param database a database of its own keeps a module's sales away from the background loops
     *                 (relay, persister) of sale-api tests that may run against the same Redis
     */
    public TestRedis(int database) {
        url = url(database);
        client = RedisClient.create(url);
        connection = client.connect();
    }

    public static String url(int database) {
        String url = System.getenv("FLASHSALE_REDIS_URL");
        if (url == null) {
            throw new IllegalStateException("FLASHSALE_REDIS_URL is not set: integration tests run with ./flashsale test"
                    + " (or: eval \"$(scripts/services.sh --profile test env)\" after scripts/services.sh --profile test start)");
        }
        RedisURI uri = RedisURI.create(url);
        uri.setDatabase(database);
        return uri.toURI().toString();
    }

    public String url() {
        return url;
    }

    public RedisClient client() {
        return client;
    }

    public StatefulRedisConnection<String, String> connection() {
        return connection;
    }

    public RedisCommands<String, String> sync() {
        return connection.sync();
    }

    /** The Redis clock, which decides every time rule of a sale, in milliseconds like the scripts. */
    public Instant now() {
        List<String> time = connection.sync().time();
        return Instant.ofEpochMilli(Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000);
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
