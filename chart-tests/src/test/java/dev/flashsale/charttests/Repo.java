package dev.flashsale.charttests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Files of the repository under test; surefire passes its root as {@code flashsale.root}. */
final class Repo {

    static final Path ROOT = Path.of(System.getProperty("flashsale.root", "..")).toAbsolutePath().normalize();
    static final Path CHART = ROOT.resolve("helm/flashsale");
    static final Path PRODUCTION_VALUES = CHART.resolve("ci/production-values.yaml");
    static final Path CRD = CHART.resolve("crds/flashsales.flashsale.dev-v1.yml");
    static final Path ARGOCD = ROOT.resolve("deploy/argocd");

    private Repo() {
    }

    static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    static String read(String relative) {
        return read(ROOT.resolve(relative));
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file under src/test/resources, as a path (helm takes values files by path). */
    static Path resource(String name) {
        try {
            return Path.of(Repo.class.getResource("/" + name).toURI());
        } catch (Exception e) {
            throw new IllegalArgumentException("no test resource " + name, e);
        }
    }
}
