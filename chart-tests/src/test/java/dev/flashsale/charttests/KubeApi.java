package dev.flashsale.charttests;

import dev.flashsale.testing.LocalApiServer;
import dev.flashsale.testing.Repo;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The test JVM's real kube-apiserver (the operator's {@link LocalApiServer}) with the chart's CRD
 * installed, and helpers to apply rendered manifests to it.
 */
final class KubeApi {

    private static String kubeConfig;

    private KubeApi() {
    }

    static synchronized KubernetesClient client() {
        if (kubeConfig == null) {
            kubeConfig = LocalApiServer.kubeConfig();
            try (KubernetesClient client = newClient()) {
                establish(client, ChartFiles.CRD);
            }
        }
        return newClient();
    }

    /** The kubeconfig as a file, for a process of its own (the operator). */
    static synchronized Path kubeConfigFile() {
        client().close();
        try {
            Path file = Files.createTempFile("flashsale-chart-tests", ".kubeconfig");
            file.toFile().deleteOnExit();
            return Files.writeString(file, kubeConfig);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KubernetesClient newClient() {
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeConfig)).build();
    }

    /** Applies the CRDs of a file (server-side) and waits until the API server serves them. */
    static void establish(KubernetesClient client, Path file) {
        for (Map<String, Object> doc : Yaml.parseAll(Repo.read(file))) {
            LocalApiServer.establish(client, Serialization.unmarshal(Serialization.asJson(doc), CustomResourceDefinition.class));
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
