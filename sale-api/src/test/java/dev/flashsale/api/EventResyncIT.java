package dev.flashsale.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flashsale.api.events.SaleMemory;
import dev.flashsale.core.PurchaseRequest;
import dev.flashsale.core.SaleSpec;
import dev.flashsale.core.SaleStore;
import dev.flashsale.core.testing.SaleFixture;
import dev.flashsale.testing.TestServices.Service;
import dev.flashsale.testing.TestServices;
import io.lettuce.core.ClientListArgs;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisLoadingException;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.Disposable;
import reactor.util.retry.Retry;

/**
 * Events published while the pod's Redis subscription is down are lost for good (pub/sub keeps
 * nothing). After Lettuce resubscribes, the pod must re-read the sales it serves: its browsers get
 * what they missed as ordinary events, and its memory of ended sales forgets what is no longer true.
 *
 * <p>To change a sale where the pod cannot hear it, the tests kill the pod's pub/sub connection and
 * keep it from reconnecting for a while (Redis refuses new connections at {@code maxclients}),
 * while the pod's command connection, and so its purchases, keep working. The last test restarts
 * Redis for real (scripts/services.sh, the test profile's Redis).
 */
class EventResyncIT extends ApiTestSupport {

    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {};

    @Autowired
    MeterRegistry registry;
    @Autowired
    SaleMemory memory;

    private SaleFixture admin;
    private String maxClients;

    @BeforeEach
    void adminConnection() {
        admin = new SaleFixture();
        maxClients = admin.connection().sync().configGet("maxclients").get("maxclients");
    }

    @AfterEach
    void restore() {
        try {
            admin.connection().sync().configSet("maxclients", maxClients);
        } finally {
            admin.close();
        }
    }

    private double resyncs() {
        return registry.get("flashsale.events.resyncs").counter().count();
    }

    /** Kills every pub/sub connection and refuses new connections until {@link #subscriptionBack()}. */
    private void subscriptionDown() {
        RedisCommands<String, String> redis = admin.connection().sync();
        long all = redis.clientList().lines().filter(l -> !l.isBlank()).count();
        long pubSub = redis.clientList(ClientListArgs.Builder.typePubsub()).lines().filter(l -> !l.isBlank()).count();
        // existing connections stay; once the pub/sub ones are gone, the count is at the limit
        redis.configSet("maxclients", Long.toString(all - pubSub));
        // (killed after the limit is set, so that none can have slipped in meanwhile)
        redis.clientKill(KillArgs.Builder.typePubsub());
        assertThat(redis.clientList(ClientListArgs.Builder.typePubsub()).lines().filter(l -> !l.isBlank()).count())
                .as("pub/sub connections left").isZero();
    }

    private void subscriptionBack() {
        admin.connection().sync().configSet("maxclients", maxClients);
    }

    private List<ServerSentEvent<String>> subscribe(String saleId, List<Disposable> subscriptions) throws Exception {
        List<ServerSentEvent<String>> seen = new CopyOnWriteArrayList<>();
        subscriptions.add(concurrentClient(2).get().uri("/api/v1/sales/{id}/events", saleId).accept(MediaType.TEXT_EVENT_STREAM)
                .retrieve().bodyToFlux(SSE).filter(e -> e.event() != null).subscribe(seen::add));
        await("initial").atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty());
        return seen;
    }

    private static void assertIncreasingIds(List<ServerSentEvent<String>> events) {
        long previous = -1;
        for (ServerSentEvent<String> e : events) {
            long id = Long.parseLong(e.id());
            assertThat(id).as("ids increase: %s", events).isGreaterThan(previous);
            previous = id;
        }
    }

    @Test
    void browsersGetWhatTheyMissedWhileThePodWasNotSubscribed() throws Exception {
        SaleSpec sale = activeSale("resync", 10, 1);
        List<Disposable> subscriptions = new CopyOnWriteArrayList<>();
        List<ServerSentEvent<String>> seen = subscribe(sale.id(), subscriptions);
        double resyncsBefore = resyncs();

        assertThat(admin.connection().sync().clientList(ClientListArgs.Builder.typePubsub()))
                .as("this pod's subscription").isNotBlank();
        subscriptionDown();
        for (int i = 0; i < 3; i++) {
            buy(sale.id(), "gap-" + i).expectStatus().isCreated();
        }
        store.pause(sale.id(), true).block();
        Thread.sleep(500);
        assertThat(seen).as("nothing is heard while the subscription is down").hasSize(1);

        subscriptionBack();
        await("the missed state").atMost(Duration.ofSeconds(30)).until(() -> seen.stream().anyMatch(e -> "state-change".equals(e.event())));
        await("the missed stock").atMost(Duration.ofSeconds(5)).until(() -> seen.stream().anyMatch(e -> "stock-update".equals(e.event())));
        assertThat(resyncs()).isGreaterThan(resyncsBefore);
        subscriptions.forEach(Disposable::dispose);

        assertIncreasingIds(seen);
        long currentId = view(sale.id()).eventId();
        assertThat(seen.get(seen.size() - 1).id()).isEqualTo(Long.toString(currentId));
        assertThat(seen.stream().filter(e -> "stock-update".equals(e.event())).map(ServerSentEvent::data).toList())
                .containsExactly("{\"id\":\"" + sale.id() + "\",\"stock\":7,\"sold\":3,\"held\":0,\"confirmed\":3}");
        assertThat(seen.stream().filter(e -> "state-change".equals(e.event())).map(ServerSentEvent::data).toList())
                .containsExactly("{\"id\":\"" + sale.id() + "\",\"state\":\"PAUSED\",\"endReason\":null}");

        // and live events flow again
        List<ServerSentEvent<String>> after = subscribe(sale.id(), subscriptions);
        store.pause(sale.id(), false).block();
        await("live again").atMost(Duration.ofSeconds(5)).until(() -> after.stream().anyMatch(e -> "state-change".equals(e.event())));
        subscriptions.forEach(Disposable::dispose);
    }

    @Test
    void theMemoryOfEndedSalesForgetsWhatIsNoLongerTrue() throws Exception {
        SaleSpec sale = activeSale("relife", 1, 1);
        buy(sale.id(), "first").expectStatus().isCreated();
        buy(sale.id(), "late").expectStatus().isEqualTo(409);
        await("the pod remembers the sell-out").atMost(Duration.ofSeconds(10)).until(() -> memory.answerFromMemory(sale.id(), "anyone") != null);

        subscriptionDown();
        // the sale id lives again, with stock, while the pod cannot hear it
        assertThat(store.delete(sale.id(), true).block().outcome().name()).isEqualTo("DELETED");
        SaleSpec again = new SaleSpec(sale.id(), sale.sku(), sale.productName(), 5, 1, sale.startTime(), sale.endTime(),
                false, false);
        store.upsert(again).block();
        Thread.sleep(500);
        buy(sale.id(), "fooled").expectStatus().isEqualTo(409); // answered from the stale memory

        subscriptionBack();
        await("the new life sells").atMost(Duration.ofSeconds(30)).until(() ->
                buy(sale.id(), "newcomer-" + System.nanoTime()).returnResult(String.class).getStatus().value() == 201);
        assertThat(memory.answerFromMemory(sale.id(), "anyone")).isNull();
    }

    @Test
    void afterARealRedisRestartABrowserSeesTheFinalState() throws Exception {
        SaleSpec sale = activeSale("restart", 5, 1);
        List<Disposable> subscriptions = new CopyOnWriteArrayList<>();
        List<ServerSentEvent<String>> seen = subscribe(sale.id(), subscriptions);
        buy(sale.id(), "before").expectStatus().isCreated();
        await("live stock").atMost(Duration.ofSeconds(5)).until(() -> seen.size() >= 2);

        TestServices.stop(Service.REDIS);
        TestServices.start(Service.REDIS);
        // at once, on a fresh connection, before the pod's subscription is back (kept away if it was quicker)
        admin.close();
        admin = new SaleFixture();
        Retry loading = Retry.fixedDelay(100, Duration.ofMillis(50)).filter(RedisLoadingException.class::isInstance);
        admin.connection().reactive().ping().retryWhen(loading).block(); // (LOADING while Redis replays its AOF)
        subscriptionDown();
        SaleStore direct = admin.store();
        for (int i = 0; i < 4; i++) {
            assertThat(direct.purchase(new PurchaseRequest(sale.id(), "after-" + i, 1, null)).block().outcome().name())
                    .isEqualTo("SUCCESS");
        }
        subscriptionBack();
        await("the final state after the restart").atMost(Duration.ofSeconds(60)).until(() -> seen.stream()
                .anyMatch(e -> "state-change".equals(e.event()) && e.data().contains("SOLD_OUT")));
        subscriptions.forEach(Disposable::dispose);
        assertIncreasingIds(seen);
        List<String> stock = seen.stream().filter(e -> "stock-update".equals(e.event())).map(ServerSentEvent::data).toList();
        assertThat(stock.get(stock.size() - 1)).isEqualTo("{\"id\":\"" + sale.id() + "\",\"stock\":0,\"sold\":5,\"held\":0,\"confirmed\":5}");
        assertThat(seen.get(seen.size() - 1).data())
                .isEqualTo("{\"id\":\"" + sale.id() + "\",\"state\":\"ENDED\",\"endReason\":\"SOLD_OUT\"}");
    }
}
