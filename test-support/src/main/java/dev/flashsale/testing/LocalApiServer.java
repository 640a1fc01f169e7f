package dev.flashsale.testing;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One real kube-apiserver + etcd per test JVM (fabric8 kube-api-test, offline: the binaries that
 * scripts/k8s/control-plane.sh install built into ~/.kubeapitest or KUBE_API_TEST_DIR), shared by
 * the operator's tests and chart-tests.
 * <p>
 * kube-api-test keeps its certificates (and the kubeconfig points at them) in its test dir; a second
 * JVM using the same dir, e.g. another module's tests, would regenerate them under our running API
 * server. So: a directory of our own per JVM, sharing only the binaries through a symbolic link.
 */
public final class LocalApiServer {

    private static String kubeConfig;

    private LocalApiServer() {
    }

    /** Starts the API server on first use; its kubeconfig (admin) as YAML. */
    public static synchronized String kubeConfig() {
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
        }
        return kubeConfig;
    }

    /** Applies a CRD (server-side) and waits until the API server serves it. */
    public static void establish(KubernetesClient client, CustomResourceDefinition definition) {
        Resource<CustomResourceDefinition> crd = client.apiextensions().v1().customResourceDefinitions().resource(definition);
        crd.serverSideApply();
        await().atMost(Duration.ofSeconds(30)).until(() -> crd.get().getStatus() != null
                && crd.get().getStatus().getConditions().stream()
                .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus())));
    }

    private static Path privateTestDir() {
        Path shared = Path.of(Optional.ofNullable(System.getenv("KUBE_API_TEST_DIR"))
                .orElse(System.getProperty("user.home") + "/.kubeapitest"));
        try {
            Path dir = Files.createTempDirectory("flashsale-kubeapitest");
            Files.createSymbolicLink(dir.resolve("k8s"), shared.resolve("k8s").toAbsolutePath());
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a directory tree; symbolic links (here: to the binaries) are removed, not followed. */
    public static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
