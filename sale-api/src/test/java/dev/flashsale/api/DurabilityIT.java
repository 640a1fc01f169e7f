package dev.flashsale.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flashsale.core.SaleSpec;
import dev.flashsale.core.SaleStore;
import dev.flashsale.core.testing.SaleFixture;
import dev.flashsale.testing.JavaProcess;
import dev.flashsale.testing.Repo;
import dev.flashsale.testing.TestServices.Service;
import dev.flashsale.testing.TestServices;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Fault claims proven by stopping and killing real processes: two sale-api processes (as two pods)
 * share the test profile's Redis, Kafka and PostgreSQL, which scripts/services.sh stops and starts.
 * Every purchase answered 201 must end up in PostgreSQL exactly once (docs/contract/api.md,
 * "Guarantees": "a purchase answered 201 is never lost").
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DurabilityIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static SaleFixture redis;
    private static SaleStore store;
    private static JavaProcess podA;
    private static JavaProcess podB;
    private static int portA;
    private static int portB;

    @BeforeAll
    static void startPods() throws Exception {
        redis = new SaleFixture();
        store = redis.store();
        portA = 18_500 + (int) (ProcessHandle.current().pid() % 400);
        portB = portA + 1;
        podA = startPod("a", portA);
        podB = startPod("b", portB);
        awaitReady(podA, portA);
        awaitReady(podB, portB);
    }

    @AfterAll
    static void stopPods() {
        for (JavaProcess p : new JavaProcess[] {podA, podB}) {
            if (p != null) {
                p.close();
            }
        }
        TestServices.start(Service.KAFKA);
        TestServices.start(Service.POSTGRES);
        TestServices.start(Service.REDIS);
        redis.close();
    }

    @Test
    @Order(1)
    void purchasesGoOnWhileKafkaIsDownAndAllArriveAfterwards() throws Exception {
        SaleSpec sale = redis.created(redis.activeSale("nokafka", 1_000, 1));
        TestServices.stop(Service.KAFKA);
        List<String> ids = buyMany(portA, sale.id(), "k", 50);
        assertThat(ids).hasSize(50);
        assertThat(store.view(sale.id()).block().sold()).isEqualTo(50);
        TestServices.start(Service.KAFKA);
        awaitPersistedExactly(sale.id(), 50, Duration.ofSeconds(90));
    }

    @Test
    @Order(2)
    void purchasesGoOnWhilePostgresIsDownAndAllArriveAfterwards() throws Exception {
        SaleSpec sale = redis.created(redis.activeSale("nopg", 1_000, 1));
        TestServices.stop(Service.POSTGRES);
        List<String> ids = buyMany(portB, sale.id(), "p", 50);
        assertThat(ids).hasSize(50);
        Thread.sleep(3_000); // the persister is now failing and retrying
        TestServices.start(Service.POSTGRES);
        // every connection pod A pooled died with PostgreSQL: its first query now must still succeed
        assertThat(get(portA, "/health")).contains("\"postgres\":{\"status\":\"UP\"}");
        awaitPersistedExactly(sale.id(), 50, Duration.ofSeconds(90));
    }

    @Test
    @Order(3)
    void aRedisRestartDoesNotBreakPurchasesNorLoseThem() throws Exception {
        SaleSpec sale = redis.created(redis.activeSale("redisrestart", 1_000, 1));
        assertThat(buyMany(portA, sale.id(), "before", 10)).hasSize(10);
        TestServices.stop(Service.REDIS);
        HttpResponse<String> down = buy(portA, sale.id(), "while-down");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.headers().firstValue("Retry-After")).isPresent();
        // the alert on Redis failures reads this counter (load shedding answers 503 too, without it)
        assertThat(get(portA, "/actuator/prometheus")).containsPattern("(?m)^flashsale_redis_errors_total\\{[^}]*\\} [1-9]");
        // the public health check says what is down, never where or why (host names, exception texts)
        await("/health reports Redis DOWN").atMost(Duration.ofSeconds(10)).until(() -> get(portA, "/health").contains("\"redis\":{\"status\":\"DOWN\"}"));
        assertThat(get(portA, "/health")).doesNotContain("127.0.0.1", "Exception", "refused", "localhost");
        TestServices.start(Service.REDIS);
        await("pod A buys again").atMost(Duration.ofSeconds(30)).until(() -> buy(portA, sale.id(), "after-0").statusCode() == 201);
        assertThat(buyMany(portA, sale.id(), "again", 9)).hasSize(9);
        // the AOF kept what was sold before the restart; the script cache was empty and reloaded
        assertThat(store.view(sale.id()).block().sold()).isEqualTo(20);
        awaitPersistedExactly(sale.id(), 20, Duration.ofSeconds(90));
    }

    @Test
    @Order(4)
    void killingAPodRightAfterItAnsweredLosesNothing() throws Exception {
        SaleSpec sale = redis.created(redis.activeSale("kill9", 1_000, 1));
        // Kafka away: pod A reads its purchases from the outbox but cannot hand them over...
        TestServices.stop(Service.KAFKA);
        List<String> ids = buyMany(portA, sale.id(), "doomed", 100);
        assertThat(ids).hasSize(100);
        Thread.sleep(1_000);
        // ...and dies with them pending; pod B must claim and deliver them
        podA.kill();
        TestServices.start(Service.KAFKA);
        awaitPersistedExactly(sale.id(), 100, Duration.ofSeconds(120));

        // and once more with Kafka up: kill -9 the moment the last answer arrived
        podA = startPod("a2", portA);
        awaitReady(podA, portA);
        SaleSpec second = redis.created(redis.activeSale("kill9b", 1_000, 1));
        assertThat(buyMany(portA, second.id(), "sudden", 200)).hasSize(200);
        podA.kill();
        // the dead pod's outbox entries are claimed after claim-after (3 s here) and its Kafka group
        // membership lapses after the consumer's 10 s session: persistence resumes within that
        awaitPersistedExactly(second.id(), 200, Duration.ofSeconds(30));
    }

    /**
     * Checkout: kill -9 of the pods that took and paid the holds, while holds are open. Holds live
     * in Redis, not in a pod: they are expired by whichever pod runs (here the one started again);
     * each unpaid hold is released exactly once, and PostgreSQL's ledger says so.
     */
    @Test
    @Order(5)
    void killingThePodsThatExpireHoldsLosesNoHoldAndReleasesNoneTwice() throws Exception {
        // the previous test left pod A dead
        podA = startPod("a3", portA);
        awaitReady(podA, portA);
        SaleSpec sale = redis.created(redis.activeSale("holdkill", 200, 1).withHoldFor(Duration.ofSeconds(3)));
        List<String> held = holdMany(sale.id(), "hk", 60);
        List<String> paid = payFirst(held, 20);
        // the pod that took the holds dies at once, the other a moment later: nobody expires them now
        podA.kill();
        podB.kill();
        // the holds fall due now (in the whole suite, sale-api contexts of other tests in this JVM
        // may expire them meanwhile: any pod may, once)
        Thread.sleep(4_000);
        podA = startPod("a4", portA);
        awaitReady(podA, portA);
        await("the holds expired").atMost(Duration.ofSeconds(10)).until(() -> store.view(sale.id()).block().held() == 0);
        podB = startPod("b2", portB);
        awaitReady(podB, portB);
        assertHoldsSettledOnce(sale.id(), held, paid);
    }

    /** Checkout: Redis restarts while holds are open and falling due; none is lost or released twice. */
    @Test
    @Order(6)
    void aRedisRestartDuringOpenHoldsLosesNoHoldAndReleasesNoneTwice() throws Exception {
        SaleSpec sale = redis.created(redis.activeSale("holdredis", 200, 1).withHoldFor(Duration.ofSeconds(4)));
        List<String> held = holdMany(sale.id(), "hr", 50);
        List<String> paid = payFirst(held, 10);
        TestServices.stop(Service.REDIS);
        Thread.sleep(5_000); // the holds fall due while Redis is away
        TestServices.start(Service.REDIS);
        // Redis answers LOADING while it reads its AOF back: asked again
        await("holds expired after the restart").atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> store.view(sale.id()).block().held() == 0);
        assertHoldsSettledOnce(sale.id(), held, paid);
    }

    // ---- helpers ----

    /**
     * Every paid hold CONFIRMED and every other one EXPIRED, each unit back in stock once; in
     * PostgreSQL each purchase has exactly HELD and its end in the ledger, and its status.
     */
    private static void assertHoldsSettledOnce(String saleId, List<String> held, List<String> paid) throws Exception {
        var view = store.view(saleId).block();
        assertThat(List.of(view.stock(), view.held(), view.confirmed()))
                .containsExactly(view.initialStock() - paid.size(), 0L, (long) paid.size());
        var holds = store.holds(saleId, held).block();
        for (String pid : held) {
            assertThat(holds.get(pid).status().name()).as(pid).isEqualTo(paid.contains(pid) ? "CONFIRMED" : "EXPIRED");
        }
        await("the ledger of " + saleId).atMost(Duration.ofSeconds(60)).until(() -> ledgerRows(saleId) == 2L * held.size());
        Thread.sleep(2_000); // a duplicate still in flight would land now
        assertThat(ledgerRows(saleId)).isEqualTo(2L * held.size());
        assertThat(query("SELECT count(*) FROM purchase_events WHERE sale_id = ? AND event = 'EXPIRED'", saleId))
                .isEqualTo(held.size() - paid.size());
        assertThat(query("SELECT count(*) FROM purchases WHERE sale_id = ? AND status = 'CONFIRMED'", saleId)).isEqualTo(paid.size());
        assertThat(query("SELECT count(*) FROM purchases WHERE sale_id = ? AND status = 'EXPIRED'", saleId))
                .isEqualTo(held.size() - paid.size());
        await("persisted == confirmed").atMost(Duration.ofSeconds(30)).until(() -> store.view(saleId).block().persisted() == paid.size());
    }

    /** n holds taken through pod A; their purchase ids. */
    private static List<String> holdMany(String saleId, String prefix, int n) {
        List<String> held = purchaseIds(buyMany(portA, saleId, prefix, n));
        assertThat(held).hasSize(n);
        return held;
    }

    /** The first k holds paid through pod B's webhook; their purchase ids. */
    private static List<String> payFirst(List<String> held, int k) {
        List<String> paid = held.subList(0, k);
        for (String pid : paid) {
            assertThat(pay(portB, pid).statusCode()).isEqualTo(200);
        }
        return paid;
    }

    private static long ledgerRows(String saleId) {
        return query("SELECT count(*) FROM purchase_events WHERE sale_id = ?", saleId);
    }

    private static List<String> purchaseIds(List<String> bodies) {
        return bodies.stream().map(b -> b.replaceAll(".*\"purchaseId\":\"([^\"]+)\".*", "$1")).toList();
    }

    private static HttpResponse<String> pay(int port, String purchaseId) {
        byte[] body = ("{\"type\":\"payment.succeeded\",\"purchaseId\":\"" + purchaseId + "\",\"paymentId\":\"pay-"
                + purchaseId + "\"}").getBytes(StandardCharsets.UTF_8);
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/payments/events"))
                    .header("Content-Type", "application/json")
                    .header("Flashsale-Signature", CheckoutIT.SIGNER.sign(Instant.now().getEpochSecond(), body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JavaProcess startPod(String name, int port) {
        return JavaProcess.of("it-" + name, Repo.jar("sale-api", "sale-api-.*\\.jar"))
                .jvm(List.of("-Xmx384m")).args("--server.port=" + port, "--spring.profiles.active=test",
                        "--flashsale.relay.claim-after=3s", "--flashsale.auth.mode=none",
                        "--flashsale.checkout.webhook-secret=test-webhook-secret")
                .logDir(Repo.root().resolve("sale-api/target")).start();
    }

    private static void awaitReady(JavaProcess pod, int port) {
        pod.awaitReady("http://127.0.0.1:" + port + "/actuator/health/readiness", Duration.ofSeconds(90));
    }

    private static String get(int port, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> buy(int port, String saleId, String user) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/sales/" + saleId + "/purchases"))
                    .header("X-User-Id", user).POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Concurrent purchases of distinct users; returns the bodies of the 201 answers. */
    private static List<String> buyMany(int port, String saleId, String prefix, int n) {
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            calls.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/sales/" + saleId + "/purchases"))
                    .header("X-User-Id", prefix + "-" + i).POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        return calls.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 201).map(HttpResponse::body).toList();
    }

    private static void awaitPersistedExactly(String saleId, long expected, Duration timeout) throws Exception {
        await(expected + " purchases of " + saleId + " in PostgreSQL").atMost(timeout).until(() -> rows(saleId) >= expected);
        Thread.sleep(2_000); // any duplicate still in flight would land now
        assertThat(rows(saleId)).as("rows of %s", saleId).isEqualTo(expected);
        await("persisted counter of " + saleId).atMost(Duration.ofSeconds(30)).until(() -> store.view(saleId).block().persisted() == expected);
    }

    private static long rows(String saleId) {
        return query("SELECT count(*) FROM purchases WHERE sale_id = ?", saleId);
    }

    /** A count of the sale's rows; -1 while PostgreSQL cannot answer. */
    private static long query(String countSql, String saleId) {
        try (Connection c = DriverManager.getConnection(System.getenv("FLASHSALE_JDBC_URL"),
                System.getenv("FLASHSALE_DB_USER"), System.getenv("FLASHSALE_DB_PASSWORD"));
             PreparedStatement s = c.prepareStatement(countSql)) {
            s.setString(1, saleId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            return -1;
        }
    }
}
