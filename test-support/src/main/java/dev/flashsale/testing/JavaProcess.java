package dev.flashsale.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A service jar run as a process of its own, as a pod runs it: its output in a log file, stopped
 * with SIGTERM ({@link #close()}) or killed with SIGKILL ({@link #kill()}).
 */
public final class JavaProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Process process;
    private final Path log;

    private JavaProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    public static Builder of(String name, Path jar) {
        return new Builder(name, jar);
    }

    public static final class Builder {
        private final String name;
        private final Path jar;
        private final List<String> jvmOptions = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new HashMap<>();
        private boolean inheritEnv = true;
        private Path logDir = Path.of("target");

        private Builder(String name, Path jar) {
            this.name = name;
            this.jar = jar;
        }

        public Builder jvm(List<String> options) {
            jvmOptions.addAll(options);
            return this;
        }

        public Builder args(String... values) {
            args.addAll(List.of(values));
            return this;
        }

        /** Exactly this environment (and PATH, HOME, JAVA_HOME): nothing of the test JVM's leaks in. */
        public Builder onlyEnv(Map<String, String> values) {
            inheritEnv = false;
            env.putAll(values);
            return this;
        }

        public Builder logDir(Path dir) {
            logDir = dir;
            return this;
        }

        public JavaProcess start() {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " is missing: package it first (mvn -DskipTests package)");
            }
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.add("-jar");
            command.add(jar.toString());
            command.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(command);
            if (!inheritEnv) {
                builder.environment().keySet().retainAll(List.of("PATH", "HOME", "JAVA_HOME"));
            }
            builder.environment().putAll(env);
            try {
                Files.createDirectories(logDir);
                Path log = logDir.resolve(name + ".log");
                builder.redirectErrorStream(true).redirectOutput(log.toFile());
                return new JavaProcess(name, builder.start(), log);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Waits until {@code url} answers 200, as a readiness probe would see it; fails at once if the process died. */
    public JavaProcess awaitReady(String url, Duration timeout) {
        try {
            await(name + " ready at " + url).atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail());
                }
                return answers200(url);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new IllegalStateException(e.getMessage() + "\n" + tail(), e);
        }
        return this;
    }

    private static boolean answers200(String url) throws InterruptedException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false; // not listening yet
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The last 40 lines of its output. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** SIGKILL, as a crashed node or the OOM killer would; returns once the process is gone. */
    public void kill() {
        try {
            process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM, as Kubernetes stops a pod; SIGKILL after 30 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
