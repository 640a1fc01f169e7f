package dev.flashsale.charttests;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One real kube-apiserver + etcd per test JVM (fabric8 kube-api-test, offline: the binaries that
 * scripts/k8s/control-plane.sh install built into ~/.kubeapitest or KUBE_API_TEST_DIR), with the
 * chart's CRD installed. Like the operator's tests, it keeps its certificates in a directory of its
 * own that only links to the shared binaries, so that another JVM's server is never disturbed.
 */
final class KubeApi {

    private static Path dir;
    private static String kubeConfig;

    private KubeApi() {
    }

    static synchronized KubernetesClient client() {
        if (kubeConfig == null) {
            dir = privateTestDir();
            KubeAPIServer server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
                    .withTestDir(dir.toString())
                    .withOfflineMode(true)
                    .withUpdateKubeConfig(false)
                    .build());
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.stop();
                Chart.deleteTree(dir);
            }, "kube-api-server-stop"));
            kubeConfig = server.getKubeConfigYaml();
            try (KubernetesClient client = newClient()) {
                establish(client, Repo.CRD);
            }
        }
        return newClient();
    }

    /** The kubeconfig as a file, for a process of its own (the operator). */
    static synchronized Path kubeConfigFile() {
        client().close();
        try {
            return Files.writeString(dir.resolve("kubeconfig.yaml"), kubeConfig);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KubernetesClient newClient() {
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeConfig)).build();
    }

    private static Path privateTestDir() {
        Path shared = Path.of(Optional.ofNullable(System.getenv("KUBE_API_TEST_DIR"))
                .orElse(System.getProperty("user.home") + "/.kubeapitest"));
        try {
            Path dir = Files.createTempDirectory("flashsale-chart-tests-kubeapitest");
            Files.createSymbolicLink(dir.resolve("k8s"), shared.resolve("k8s").toAbsolutePath());
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Applies the CRDs of a file (server-side) and waits until the API server serves them. */
    static void establish(KubernetesClient client, Path file) {
        for (Map<String, Object> doc : Yaml.parseAll(Repo.read(file))) {
            CustomResourceDefinition crd = Serialization.unmarshal(Serialization.asJson(doc), CustomResourceDefinition.class);
            var resource = client.apiextensions().v1().customResourceDefinitions().resource(crd);
            resource.serverSideApply();
            await().atMost(Duration.ofSeconds(30)).until(() -> resource.get().getStatus() != null
                    && resource.get().getStatus().getConditions().stream()
                    .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus())));
        }
    }

    static void ensureNamespaces(KubernetesClient client, List<String> names) {
        for (String name : names) {
            if (client.namespaces().withName(name).get() == null) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
                        .create();
            }
        }
    }

    static GenericKubernetesResource resource(Map<String, Object> doc) {
        return Serialization.unmarshal(Serialization.asJson(doc), GenericKubernetesResource.class);
    }

    static String describe(HasMetadata r) {
        return r.getKind() + " " + Optional.ofNullable(r.getMetadata().getNamespace()).map(n -> n + "/").orElse("")
                + r.getMetadata().getName();
    }
}
