package dev.flashsale.operator;

import static dev.flashsale.operator.TestCluster.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.flashsale.core.PurchaseRequest;
import dev.flashsale.core.PurchaseResult;
import dev.flashsale.core.SaleView;
import dev.flashsale.operator.crd.FlashSale;
import dev.flashsale.operator.crd.FlashSaleStatus;
import dev.flashsale.testing.TestIds;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Operator restarts and leader election never reset a sale and never let two instances write. */
class FailoverIT {

    private static TestBed bed;
    private static String namespace;
    private final List<FlashSaleOperator> operators = new ArrayList<>();

    @BeforeAll
    static void start() {
        bed = new TestBed();
        namespace = bed.namespace("failover");
    }

    @AfterEach
    void stopOperators() {
        operators.forEach(FlashSaleOperator::close);
    }

    @AfterAll
    static void stop() {
        bed.close();
    }

    private FlashSaleOperator operator(String identity) {
        FlashSaleOperator operator = TestCluster.startOperator(
                TestCluster.config(Set.of(namespace), identity, true, Optional.empty()));
        operators.add(operator);
        return operator;
    }

    private static double writes(FlashSaleOperator operator) {
        return operator.registry().find("flashsale.operator.redis.writes").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    /** Created, and in Redis once some operator instance has reconciled it. */
    private static FlashSale activeSale(String prefix, long stock) {
        Instant now = bed.redis.now();
        FlashSale sale = bed.client.resource(TestCluster.sale(namespace, TestIds.unique(prefix), stock,
                now.minusSeconds(1), now.plusSeconds(3600))).create();
        awaitStatus(sale, Duration.ofSeconds(10), s -> s.getPhase() == FlashSaleStatus.Phase.Active);
        return sale;
    }

    private static FlashSaleStatus awaitStatus(FlashSale sale, Duration within, Predicate<FlashSaleStatus> condition) {
        return await().atMost(within).pollInterval(Duration.ofMillis(50))
                .until(() -> resource(bed.client, sale).get().getStatus(), s -> s != null && condition.test(s));
    }

    private static String readyz(FlashSaleOperator operator) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.httpPort() + "/readyz")).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    private static void buy(FlashSale sale, String... users) {
        for (String user : users) {
            assertThat(bed.store.purchase(new PurchaseRequest(sale.getMetadata().getName(), user, 1, null)).block().outcome())
                    .isEqualTo(PurchaseResult.Outcome.SUCCESS);
        }
    }

    @Test
    void aRestartMidSaleNeverResetsStockOrBuyers() {
        FlashSaleOperator first = operator("restart-a");
        FlashSale sale = activeSale("restart", 10);
        buy(sale, "u1", "u2", "u3");
        awaitStatus(sale, Duration.ofSeconds(10), s -> s.getSold() != null && s.getSold() == 3);

        first.close();
        buy(sale, "u4", "u5"); // while no operator runs
        FlashSaleOperator second = operator("restart-b");
        FlashSaleStatus status = awaitStatus(sale, Duration.ofSeconds(10), s -> s.getSold() == 5);
        assertThat(status.getRemainingStock()).isEqualTo(5);
        assertThat(writes(second)).isPositive();

        SaleView view = bed.store.view(sale.getMetadata().getName()).block();
        assertThat(view.stock()).isEqualTo(5);
        assertThat(view.initialStock()).isEqualTo(10);
        assertThat(bed.store.buyerIds(sale.getMetadata().getName()).collectList().block())
                .containsExactlyInAnyOrder("u1", "u2", "u3", "u4", "u5");
    }

    @Test
    void aLeaderThatExitsOnALostLeaseStillShutsDownGracefully() {
        OperatorConfig base = TestCluster.config(Set.of(namespace), "graceful", true, Optional.empty());
        OperatorConfig exiting = new OperatorConfig(base.redisUrl(), base.watchNamespaces(), base.saleApi(),
                base.leaderElection(), base.leaseName(), base.leaseNamespace(), base.identity(), base.leaseDuration(),
                base.renewDeadline(), base.retryPeriod(), true, base.statusInterval(), base.resync(), base.httpHost(),
                base.httpPort());
        FlashSaleOperator operator = TestCluster.startOperator(exiting);
        await().atMost(Duration.ofSeconds(10)).until(operator::isLeader);
        // stopping ends leading; that must not be taken for a lost Lease (System.exit would end this JVM)
        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            operator.close();
            return operator.isLeader();
        })).isFalse();
    }

    @Test
    void onlyTheLeaderWritesAndTheOtherTakesOver() throws Exception {
        FlashSaleOperator a = operator("pair-a");
        FlashSaleOperator b = operator("pair-b");
        await().atMost(Duration.ofSeconds(10)).until(() -> a.isLeader() || b.isLeader());
        FlashSaleOperator leader = a.isLeader() ? a : b;
        FlashSaleOperator standby = leader == a ? b : a;
        assertThat(standby.isLeader()).isFalse();

        FlashSale sale = activeSale("pair", 10);
        buy(sale, "u1");
        awaitStatus(sale, Duration.ofSeconds(10), s -> s.getSold() != null && s.getSold() == 1);
        assertThat(writes(leader)).isPositive();
        assertThat(writes(standby)).isZero();
        assertThat(readyz(standby)).as("a standby is ready to take over").startsWith("200 ready (standby)");

        leader.close();
        await().atMost(Duration.ofSeconds(10)).until(standby::isLeader);
        IntStream.rangeClosed(2, 4).forEach(i -> buy(sale, "u" + i));
        FlashSaleStatus status = awaitStatus(sale, Duration.ofSeconds(10), s -> s.getSold() == 4);
        assertThat(status.getRemainingStock()).isEqualTo(6);
        assertThat(writes(standby)).isPositive();
        assertThat(bed.store.view(sale.getMetadata().getName()).block().initialStock()).isEqualTo(10);
    }
}
