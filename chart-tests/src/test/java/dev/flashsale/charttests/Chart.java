package dev.flashsale.charttests;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import dev.flashsale.testing.LocalApiServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * helm/flashsale through helm-java (Helm v3.21 as a native library, so no helm binary is needed):
 * template and lint with values files and --set, and the rendered documents as plain maps.
 */
final class Chart {

    static final String RELEASE = "flashsale";
    static final String NAMESPACE = "flashsale";
    /** The version of the test API server (scripts/k8s); the chart requires >= 1.30. */
    static final String KUBE_VERSION = "v1.37.2";

    private final List<Path> valuesFiles = new ArrayList<>();
    private final Map<String, Object> sets = new LinkedHashMap<>();

    /** The chart's values.yaml plus an issuer, the one value it has no default for. */
    static Chart defaults() {
        return new Chart().values(ChartFiles.ISSUER_VALUES);
    }

    /** The chart's values.yaml alone: refused, for want of an issuer. */
    static Chart bare() {
        return new Chart();
    }

    static Chart production() {
        return new Chart().values(ChartFiles.PRODUCTION_VALUES);
    }

    Chart values(Path file) {
        valuesFiles.add(file);
        return this;
    }

    Chart set(String key, Object value) {
        sets.put(key, value);
        return this;
    }

    /** helm template: the manifests of templates/ (crds/ is not rendered by helm template). */
    String render() {
        TemplateCommand template = new Helm(ChartFiles.CHART).template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION);
        valuesFiles.forEach(template::withValuesFile);
        sets.forEach(template::set);
        return template.call();
    }

    Manifests manifests() {
        return new Manifests(render());
    }

    /**
     * helm lint --strict. helm-java's lint takes no values files, so with values files the chart is
     * linted as a copy whose values.yaml is the defaults coalesced with those files, as Helm does.
     */
    LintResult lint() {
        if (!sets.isEmpty()) {
            throw new UnsupportedOperationException("lint with values files, not --set");
        }
        if (valuesFiles.isEmpty()) {
            return new Helm(ChartFiles.CHART).lint().strict().call();
        }
        Path copy = copyOfChart();
        try {
            Map<String, Object> values = Yaml.read(ChartFiles.CHART.resolve("values.yaml"));
            for (Path file : valuesFiles) {
                values = Yaml.merge(values, Yaml.read(file));
            }
            Yaml.write(copy.resolve("values.yaml"), values);
            return new Helm(copy).lint().strict().call();
        } finally {
            LocalApiServer.deleteTree(copy.getParent());
        }
    }

    private static Path copyOfChart() {
        try {
            Path copy = Files.createTempDirectory("chart-tests-lint").resolve("flashsale");
            try (Stream<Path> files = Files.walk(ChartFiles.CHART)) {
                for (Path source : (Iterable<Path>) files::iterator) {
                    Files.copy(source, copy.resolve(ChartFiles.CHART.relativize(source).toString()));
                }
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }


    /** The rendered objects, found by kind and name. */
    record Manifests(String yaml, List<Map<String, Object>> docs) {

        Manifests(String yaml) {
            this(yaml, Yaml.parseAll(yaml));
        }

        List<Map<String, Object>> ofKind(String kind) {
            return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
        }

        Map<String, Object> get(String kind, String name) {
            return ofKind(kind).stream().filter(d -> name.equals(Yaml.at(d, "metadata.name"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in\n" + yaml));
        }

        /** The one object of a kind. */
        Map<String, Object> one(String kind) {
            List<Map<String, Object>> all = ofKind(kind);
            if (all.size() != 1) {
                throw new AssertionError(all.size() + " objects of kind " + kind + ", expected one");
            }
            return all.get(0);
        }

        List<String> kinds() {
            return docs.stream().map(d -> (String) d.get("kind")).filter(Objects::nonNull).toList();
        }

        /** Every container of every workload, with the workload's name. */
        List<Container> containers() {
            return ofKind("Deployment").stream().flatMap(d -> Yaml.list(d, "spec.template.spec.containers").stream()
                    .map(c -> new Container((String) Yaml.at(d, "metadata.name"), d, c))).toList();
        }
    }

    record Container(String workload, Map<String, Object> deployment, Map<String, Object> spec) {

        /** The container's env as the list the chart rendered (name, value or valueFrom). */
        List<Map<String, Object>> env() {
            return Yaml.list(spec, "env");
        }

        Map<String, Object> envVar(String name) {
            return env().stream().filter(e -> name.equals(e.get("name"))).findFirst()
                    .orElseThrow(() -> new AssertionError(workload + " has no env " + name + ": " + env()));
        }
    }
}
