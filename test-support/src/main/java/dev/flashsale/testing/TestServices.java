package dev.flashsale.testing;

import java.io.IOException;

/**
 * The test profile's real Redis, PostgreSQL and Kafka, stopped, killed and started as faults would
 * be, through {@code scripts/services.sh --profile test}.
 */
public final class TestServices {

    public enum Service { REDIS, POSTGRES, KAFKA }

    private TestServices() {
    }

    /** Stops a service cleanly (its data stays). */
    public static void stop(Service service) {
        run("stop-one", service);
    }

    /** kill -9, as a crash would. */
    public static void kill(Service service) {
        run("kill-one", service);
    }

    /** Starts a service and waits until it answers. */
    public static void start(Service service) {
        run("start-one", service);
    }

    private static void run(String action, Service service) {
        String name = service.name().toLowerCase();
        try {
            Process p = new ProcessBuilder("bash", Repo.root().resolve("scripts/services.sh").toString(), "--profile", "test",
                    action, name).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("scripts/services.sh --profile test " + action + " " + name + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
