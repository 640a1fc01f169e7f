package dev.flashsale.charttests;

import dev.flashsale.testing.Repo;
import java.nio.file.Path;

/** Where the chart and its neighbours lie in the checkout. */
final class ChartFiles {

    static final Path CHART = Repo.path("helm/flashsale");
    static final Path PRODUCTION_VALUES = CHART.resolve("ci/production-values.yaml");
    static final Path CRD = CHART.resolve("crds/flashsales.flashsale.dev-v1.yml");
    static final Path ARGOCD = Repo.path("deploy/argocd");
    /** What the tests add to values.yaml for "the default values": an issuer. */
    static final Path ISSUER_VALUES = resource("issuer-values.yaml");

    private ChartFiles() {
    }

    /** A file under src/test/resources, as a path (helm takes values files by path). */
    static Path resource(String name) {
        try {
            return Path.of(ChartFiles.class.getResource("/" + name).toURI());
        } catch (Exception e) {
            throw new IllegalArgumentException("no test resource " + name, e);
        }
    }
}
