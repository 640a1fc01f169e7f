package dev.flashsale.operator;

import static org.awaitility.Awaitility.await;

import dev.flashsale.core.SaleStore;
import dev.flashsale.operator.OperatorConfig.DeploymentRef;
import dev.flashsale.operator.crd.FlashSale;
import dev.flashsale.operator.crd.FlashSaleSpec;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * One real kube-apiserver + etcd (fabric8 kube-api-test, offline: binaries from ~/.kubeapitest or
 * KUBE_API_TEST_DIR, see scripts/k8s/control-plane.sh install) for the whole test JVM, with the
 * generated CRD installed; plus helpers shared by the tests. Each test class works in namespaces of
 * its own and runs operators that watch only those.
 */
final class TestCluster {

    static final Path GENERATED_CRD = Path.of("target/classes/META-INF/fabric8/flashsales.flashsale.dev-v1.yml");

    private static String kubeConfig;

    private TestCluster() {
    }

    static synchronized KubernetesClient client() {
        if (kubeConfig == null) {
            Path dir = privateTestDir();
            KubeAPIServer server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
                    .withTestDir(dir.toString())
                    .withOfflineMode(true)
                    .withUpdateKubeConfig(false)
                    .build());
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.stop();
                deleteTree(dir);
            }, "kube-api-server-stop"));
            kubeConfig = server.getKubeConfigYaml();
            installCrd();
        }
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeConfig)).build();
    }

    /**
     * kube-api-test keeps its certificates (and the kubeconfig points at them) in its test dir; a
     * second JVM using the same dir, e.g. another module's tests, regenerates them under our running
     * API server. So: a directory of our own, sharing only the binaries (KUBE_API_TEST_DIR or
     * ~/.kubeapitest, laid out by scripts/k8s/control-plane.sh install).
     */
    private static Path privateTestDir() {
        Path shared = Path.of(Optional.ofNullable(System.getenv("KUBE_API_TEST_DIR"))
                .orElse(System.getProperty("user.home") + "/.kubeapitest"));
        try {
            Path dir = Files.createTempDirectory("flashsale-operator-kubeapitest");
            Files.createSymbolicLink(dir.resolve("k8s"), shared.resolve("k8s").toAbsolutePath());
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes the directory; the symbolic link to the binaries is removed, not followed. */
    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A client acting as {@code user} (impersonation), to run the operator with only its RBAC. */
    static KubernetesClient clientAs(String user, String... groups) {
        client().close();
        Config config = Config.fromKubeconfig(kubeConfig);
        config.setImpersonateUsername(user);
        config.setImpersonateGroups(groups);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    private static void installCrd() {
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeConfig)).build()) {
            Resource<CustomResourceDefinition> crd = client.apiextensions().v1().customResourceDefinitions()
                    .load(Files.newInputStream(GENERATED_CRD));
            crd.serverSideApply();
            await().atMost(Duration.ofSeconds(30)).until(() -> crd.get().getStatus() != null
                    && crd.get().getStatus().getConditions().stream()
                    .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus())));
        } catch (IOException e) {
            throw new UncheckedIOException("run the build first (mvn process-classes) to generate the CRD", e);
        }
    }

    static String createNamespace(KubernetesClient client, String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
        return name;
    }

    /** An operator as the tests run it: short lease timings, never System.exit on a lost Lease. */
    static OperatorConfig config(Set<String> namespaces, String identity, boolean leaderElection,
                                 Optional<DeploymentRef> saleApi) {
        return new OperatorConfig(TestRedis.url(), namespaces, saleApi, leaderElection, "flashsale-operator",
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
