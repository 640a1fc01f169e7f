package dev.flashsale.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The operator's only HTTP surface, on the JDK's built-in server: {@code /metrics} (Prometheus text),
 * {@code /healthz} (liveness: the process serves requests and has not begun shutting down) and
 * {@code /readyz} (readiness: started, Redis and the watches healthy).
 */
final class HttpEndpoints implements AutoCloseable {

    /** A probe's verdict; {@code detail} says what is wrong. */
    record Check(boolean ok, String detail) {
    }

    private final HttpServer server;

    HttpEndpoints(String host, int port, PrometheusMeterRegistry registry, Supplier<Check> liveness,
                  Supplier<Check> readiness) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 0);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "http-endpoints");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/metrics", exchange -> respond(exchange, 200,
                "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
        server.createContext("/healthz", exchange -> probe(exchange, liveness.get()));
        server.createContext("/readyz", exchange -> probe(exchange, readiness.get()));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void probe(HttpExchange exchange, Check check) throws IOException {
        respond(exchange, check.ok() ? 200 : 503, "text/plain; charset=utf-8", check.detail() + "\n");
    }

    private static void respond(HttpExchange exchange, int code, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
