package dev.flashsale.api;

import java.io.IOException;
import java.nio.file.Path;

/** The test profile's real Redis, PostgreSQL and Kafka, stopped, killed and started as faults would. */
final class TestServices {

    /** The repository's root (the tests run in sale-api/). */
    static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

    private TestServices() {
    }

    /** {@code scripts/services.sh --profile test ACTION SERVICE}, e.g. ("stop-one", "redis"). */
    static void run(String action, String service) {
        try {
            Process p = new ProcessBuilder("bash", ROOT.resolve("scripts/services.sh").toString(), "--profile", "test", action, service)
                    .inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException(action + " " + service + " failed");
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
