package dev.flashsale.tools.bench;

import dev.flashsale.core.PurchaseRequest;
import dev.flashsale.core.SaleSpec;
import dev.flashsale.core.SaleStore;
import dev.flashsale.core.SaleView;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;

/**
 * The ceiling of the design on this machine: purchase script calls per second through sale-core's
 * {@link SaleStore} over one Lettuce connection, with no HTTP in front, against the real Redis of
 * {@code FLASHSALE_REDIS_URL} and a sale that cannot sell out (10 million units, a new shopper per call).
 *
 * <p>"256 calls in flight on one connection" is modelled as sale-api makes its calls: one thread
 * issues {@value #CALLS} purchases per invocation through {@code flatMap}, at most {@code inFlight}
 * awaiting their answer at any time, and waits for the last one; Lettuce pipelines them on its one
 * connection, so Redis always has work queued. {@code @Threads(256)} with blocking calls would
 * measure 256 parked threads taking turns on the machine's two cores instead. Each invocation ends
 * by draining its window, which leaves Redis idle for about one round trip per {@value #CALLS} calls.
 * {@code @OperationsPerInvocation} makes JMH's score calls per second.
 *
 * <p>Run: {@code java -cp tools/target/flashsale-tools.jar org.openjdk.jmh.Main PurchaseScriptBenchmark
 * -rf json -rff result.json} (JMH's options override the defaults below, e.g. {@code -p inFlight=64}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(PurchaseScriptBenchmark.CALLS)
@Fork(1)
// Lettuce's, Reactor's and Netty's paths take seconds to compile on two busy cores: shorter warm-ups
// still rose from iteration to iteration
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PurchaseScriptBenchmark {

    static final int CALLS = 4096;

    @Param("256")
    int inFlight;

    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private SaleStore store;
    private String saleId;
    private long issued;

    @Setup
    public void createSale() {
        client = RedisClient.create(System.getenv().getOrDefault("FLASHSALE_REDIS_URL", "redis://127.0.0.1:6379"));
        connection = client.connect();
        store = new SaleStore(connection.reactive());
        Instant now = store.serverTime().block();
        saleId = "bench-lua-" + UUID.randomUUID().toString().substring(0, 8);
        store.upsert(new SaleSpec(saleId, "BENCH-LUA", "Script benchmark", SaleSpec.MAX_STOCK, 1,
                now.minusSeconds(1), now.plus(Duration.ofHours(1)), false, false)).block();
    }

    @Benchmark
    public void purchases() {
        long first = issued;
        issued += CALLS;
        Flux.range(0, CALLS)
                .flatMap(i -> store.purchase(new PurchaseRequest(saleId, "u" + (first + i), 1, null)), inFlight)
                .then()
                .block();
    }

    /**
     * Every call must have sold a unit, else the figure counted refusals (a sold-out or closed sale),
     * which are cheaper. The sale's keys then go, persisted or not: its shoppers are made up.
     */
    @TearDown
    public void checkAndDeleteSale() {
        try {
            SaleView view = store.view(saleId).block();
            if (view == null || view.sold() != issued) {
                throw new IllegalStateException("sale " + saleId + " sold " + (view == null ? "nothing" : view.sold())
                        + " of " + issued + " calls: the figure does not count purchase decisions");
            }
            store.delete(saleId, true).block();
        } finally {
            connection.close();
            client.shutdown();
        }
    }
}
