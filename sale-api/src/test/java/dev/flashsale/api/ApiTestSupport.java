package dev.flashsale.api;

import dev.flashsale.api.persistence.PurchaseRepository;
import dev.flashsale.core.SaleSpec;
import dev.flashsale.core.SaleStore;
import dev.flashsale.core.SaleView;
import dev.flashsale.core.testing.SaleFixture;
import io.netty.channel.ChannelOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.blockhound.BlockHound;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * sale-api on a random port against the real Redis, PostgreSQL and Kafka of the test profile
 * (started by ./flashsale test). BlockHound fails any test whose code blocks an event loop.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
public abstract class ApiTestSupport {

    static {
        BlockHound.install(builder -> builder
                // Lettuce guards its write path with a short lock that Netty threads may wait on
                // for microseconds under contention; failing there would leave the lock held
                .allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "incrementWriters")
                .allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "decrementWriters")
                .allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "lockWritersExclusive")
                .allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "unlockWritersExclusive")
                // a new PostgreSQL connection's SCRAM nonce comes from SecureRandom, whose buffer of
                // /dev/urandom bytes is refilled by a read every 100 ms: microseconds, never a wait
                .allowBlockingCallsInside("com.ongres.scram.common.ScramFunctions", "nonce"));
    }

    @LocalServerPort
    protected int port;
    @Autowired
    protected SaleStore store;
    @Autowired
    protected PurchaseRepository repository;

    protected WebTestClient http;

    @BeforeEach
    void client() {
        http = WebTestClient.bindToServer().baseUrl(baseUrl()).responseTimeout(Duration.ofSeconds(30))
                .entityExchangeResultConsumer(OpenApiContract::validate).build();
    }

    protected String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** A WebClient for many concurrent requests (one connection each). */
    protected WebClient concurrentClient(int connections) {
        ConnectionProvider pool = ConnectionProvider.builder("test-" + connections).maxConnections(connections)
                .pendingAcquireMaxCount(-1).pendingAcquireTimeout(Duration.ofSeconds(60)).build();
        HttpClient client = HttpClient.create(pool).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                .responseTimeout(Duration.ofSeconds(60));
        return WebClient.builder().baseUrl(baseUrl()).clientConnector(new ReactorClientHttpConnector(client)).build();
    }

    protected Instant redisNow() {
        return store.serverTime().block().truncatedTo(ChronoUnit.MILLIS);
    }

    /** A purchase id of the sale: the sale id and 11 base-36 digits (sale-core's purchase.lua). */
    protected static String purchaseIdPattern(String saleId) {
        return Pattern.quote(saleId) + "-[0-9a-z]{11}";
    }

    /** The id of a user's purchase as Redis recorded it. */
    protected String purchaseIdOf(String saleId, String userId) {
        return store.myPurchase(saleId, userId).block().purchase().orElseThrow().purchaseId();
    }

    /** Creates a sale with a unique id (sale-core's SaleFixture names it) through the application's store. */
    protected SaleSpec sale(String prefix, long stock, int perUserLimit, Instant start, Instant end) {
        SaleSpec spec = SaleFixture.spec(prefix, stock, perUserLimit, start, end);
        store.upsert(spec).block();
        return spec;
    }

    /** A sale that started a minute ago and ends in an hour, by the Redis clock. */
    protected SaleSpec activeSale(String prefix, long stock, int perUserLimit) {
        Instant now = redisNow();
        return sale(prefix, stock, perUserLimit, now.minusSeconds(60), now.plusSeconds(3600));
    }

    protected SaleView view(String saleId) {
        return store.view(saleId).block();
    }

    protected WebTestClient.ResponseSpec buy(String saleId, String user) {
        return http.post().uri("/api/v1/sales/{id}/purchases", saleId).header("X-User-Id", user).exchange();
    }

    protected long rowsInPostgres(String saleId) {
        return repository.count(saleId).block();
    }
}
