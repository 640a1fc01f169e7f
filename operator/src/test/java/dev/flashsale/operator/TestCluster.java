package dev.flashsale.operator;

import dev.flashsale.core.SaleStore;
import dev.flashsale.core.testing.SaleFixture;
import dev.flashsale.operator.OperatorConfig.DeploymentRef;
import dev.flashsale.operator.crd.FlashSale;
import dev.flashsale.operator.crd.FlashSaleSpec;
import dev.flashsale.testing.LocalApiServer;
import dev.flashsale.testing.TestIds;
import dev.flashsale.testing.TestRedis;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The test JVM's real kube-apiserver ({@link LocalApiServer}) with the generated CRD installed;
 * plus helpers shared by the tests. Each test class works in namespaces of
 * its own and runs operators that watch only those.
 */
final class TestCluster {

    static final Path GENERATED_CRD = Path.of("target/classes/META-INF/fabric8/flashsales.flashsale.dev-v1.yml");
    /**
     * The operator's tests keep their sales in a Redis database of their own: sale-api's tests may
     * run their outbox relay and consumer against the same Redis at the same time, and would then
     * persist these tests' purchases behind their back. Pub/sub is not per database, which the
     * operator does not mind (events of unknown sales trigger nothing).
     */
    static final int REDIS_DATABASE = 9;

    private static String kubeConfig;

    private TestCluster() {
    }

    static synchronized KubernetesClient client() {
        if (kubeConfig == null) {
            kubeConfig = LocalApiServer.kubeConfig();
            try (KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeConfig)).build()) {
                LocalApiServer.establish(client, client.apiextensions().v1().customResourceDefinitions()
                        .load(Files.newInputStream(GENERATED_CRD)).item());
            } catch (IOException e) {
                throw new UncheckedIOException("run the build first (mvn process-classes) to generate the CRD", e);
            }
        }
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeConfig)).build();
    }

    /** Sales in the operator tests' Redis database. */
    static SaleFixture redis() {
        return new SaleFixture(new TestRedis(REDIS_DATABASE));
    }

    /** A client acting as {@code user} (impersonation), to run the operator with only its RBAC. */
    static KubernetesClient clientAs(String user, String... groups) {
        client().close();
        Config config = Config.fromKubeconfig(kubeConfig);
        config.setImpersonateUsername(user);
        config.setImpersonateGroups(groups);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    static String createNamespace(KubernetesClient client, String prefix) {
        String name = TestIds.unique(prefix);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
        return name;
    }

    /** An operator as the tests run it: short lease timings, never System.exit on a lost Lease. */
    static OperatorConfig config(Set<String> namespaces, String identity, boolean leaderElection,
                                 Optional<DeploymentRef> saleApi) {
        return new OperatorConfig(TestRedis.url(REDIS_DATABASE), namespaces, saleApi, leaderElection, "flashsale-operator",
                Optional.of(namespaces.iterator().next()), identity,
                Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(250), false,
                Duration.ofMillis(200), Duration.ofSeconds(60), "127.0.0.1", 0);
    }

    static FlashSaleOperator startOperator(OperatorConfig config) {
        return startOperator(config, client());
    }

    static FlashSaleOperator startOperator(OperatorConfig config, KubernetesClient client) {
        FlashSaleOperator operator = new FlashSaleOperator(config, client);
        operator.start();
        return operator;
    }

    static FlashSale sale(String namespace, String name, long stock, Instant start, Instant end) {
        FlashSale sale = new FlashSale();
        sale.getMetadata().setNamespace(namespace);
        sale.getMetadata().setName(name);
        FlashSaleSpec spec = new FlashSaleSpec();
        spec.setSku("SKU-" + name.toUpperCase());
        spec.setProductName("Test " + name);
        spec.setInitialStock(stock);
        spec.setStartTime(start.toString());
        spec.setEndTime(end.toString());
        sale.setSpec(spec);
        return sale;
    }

    static Resource<FlashSale> resource(KubernetesClient client, FlashSale sale) {
        return client.resources(FlashSale.class).inNamespace(sale.getMetadata().getNamespace())
                .withName(sale.getMetadata().getName());
    }

    static List<Event> events(KubernetesClient client, FlashSale sale) {
        return client.events().v1().events().inNamespace(sale.getMetadata().getNamespace()).list().getItems().stream()
                .filter(e -> sale.getMetadata().getName().equals(e.getRegarding().getName()))
                .toList();
    }

    /** Removes the Redis keys of every FlashSale in the namespaces, so the shared test Redis does not fill up. */
    static void forgetSales(KubernetesClient client, SaleStore store, String... namespaces) {
        for (String namespace : namespaces) {
            client.resources(FlashSale.class).inNamespace(namespace).list().getItems()
                    .forEach(s -> store.delete(s.getMetadata().getName(), true).block());
        }
    }

    static boolean hasEvent(KubernetesClient client, FlashSale sale, String type, String reason) {
        return events(client, sale).stream().anyMatch(e -> type.equals(e.getType()) && reason.equals(e.getReason()));
    }
}
