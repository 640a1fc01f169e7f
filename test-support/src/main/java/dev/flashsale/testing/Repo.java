package dev.flashsale.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's checkout, found from the working directory of the test JVM (a module's folder). */
public final class Repo {

    private static final Path ROOT = find(Path.of(System.getProperty("user.dir")).toAbsolutePath());

    private Repo() {
    }

    /** The folder that holds the {@code flashsale} launcher. */
    public static Path root() {
        return ROOT;
    }

    /** A file of the checkout, e.g. "helm/flashsale/values.yaml". */
    public static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    public static String read(String relative) {
        return read(ROOT.resolve(relative));
    }

    public static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A built jar of a module, e.g. ("sale-api", "sale-api-.*\\.jar"); fails with what to run when missing. */
    public static Path jar(String module, String pattern) {
        Path target = ROOT.resolve(module).resolve("target");
        try (var files = Files.list(target)) {
            return files.filter(p -> p.getFileName().toString().matches(pattern)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no " + pattern + " in " + target
                            + ": package the module first (mvn -DskipTests package)"));
        } catch (IOException e) {
            throw new IllegalStateException(target + " is not built: package the module first (mvn -DskipTests package)", e);
        }
    }

    private static Path find(Path dir) {
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("flashsale")) && Files.isDirectory(d.resolve("scripts"))) {
                return d;
            }
        }
        throw new IllegalStateException("not inside a Flashsale checkout: " + dir);
    }
}
