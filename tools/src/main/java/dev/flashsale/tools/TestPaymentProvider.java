package dev.flashsale.tools;

import static dev.flashsale.tools.CliOptions.required;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Flashsale test payment provider — no real money. It stands in for a payment provider's hosted
 * payment page on the local stack and in the end-to-end tests (docs/contract/api.md, "Checkout").
 * The SPA sends a shopper to {@code GET /pay?purchaseId=..&returnUrl=..}, where three buttons decide:
 * "Pay" calls sale-api's payment webhook, signed with the shared secret as a real provider would,
 * and sends the shopper back with {@code payment=succeeded}, or with
 * {@code payment=refused&code=<error code>} when sale-api refused it (a hold that had expired, say);
 * "Payment fails" sends them back with {@code payment=failed} and "Let it expire" with
 * {@code payment=abandoned}, neither calling sale-api. Nothing is charged and nothing is refunded.
 *
 * <pre>
 * serve --port N --webhook URL [--secret-file F]    the payment page on 127.0.0.1:N
 * pay --purchase-id ID --webhook URL [--secret-file F] [--payment-id P]
 *                                                   one payment from a script: prints sale-api's answer,
 *                                                   exits 0 when it accepted the payment, else 1
 * </pre>
 * The secret comes from {@code --secret-file} or FLASHSALE_CHECKOUT_WEBHOOK_SECRET (as sale-api reads it).
 */
public final class TestPaymentProvider {

    static final String NAME = "Flashsale test payment provider — no real money";
    static final String SIGNATURE_HEADER = "Flashsale-Signature";
    private static final String HTML = "text/html; charset=utf-8";
    private static final int MAX_PURCHASE_ID = 255;
    private static final int MAX_RETURN_URL = 2048;
    private static final int MAX_FORM = 16 * 1024;
    private static final Pattern ERROR_CODE = Pattern.compile("\"code\"\\s*:\\s*\"([A-Z0-9_]+)\"");

    private final URI webhook;
    private final SecretKeySpec key;
    private final PrintStream log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    TestPaymentProvider(URI webhook, String secret, PrintStream log) {
        this.webhook = webhook;
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.log = log;
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        if (args.length == 0 || !(args[0].equals("serve") || args[0].equals("pay"))) {
            err.println("usage: test-payment-provider serve --port N --webhook URL [--secret-file F]");
            err.println("       test-payment-provider pay --purchase-id ID --webhook URL [--secret-file F] [--payment-id P]");
            return 2;
        }
        boolean serve = args[0].equals("serve");
        TestPaymentProvider provider;
        Map<String, String> o;
        int port = 0;
        try {
            o = CliOptions.parse(args, 1);
            URI webhook = URI.create(required(o, "webhook"));
            if (!"http".equals(webhook.getScheme()) && !"https".equals(webhook.getScheme())) {
                throw new IllegalArgumentException("--webhook must be an http or https URL");
            }
            // paying from a script, stdout is sale-api's answer alone
            provider = new TestPaymentProvider(webhook, secret(o), serve ? out : err);
            if (serve) {
                port = Integer.parseInt(required(o, "port"));
            }
        } catch (IllegalArgumentException | IOException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        if (serve) {
            try {
                provider.start(port);
            } catch (IOException e) {
                err.println("error: cannot listen on 127.0.0.1:" + port + ": " + e.getMessage());
                return 1;
            }
            out.println(NAME + ": http://127.0.0.1:" + port + "/pay, payments to " + provider.webhook);
            Thread.currentThread().join(); // serves until the process is stopped
            return 0;
        }
        try {
            Answer answer = provider.pay(required(o, "purchase-id"), o.getOrDefault("payment-id", newPaymentId()));
            out.println("HTTP " + answer.status() + " " + answer.body());
            return answer.accepted() ? 0 : 1;
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("error: no answer from " + provider.webhook + ": " + e);
            return 1;
        }
    }

    private static String secret(Map<String, String> o) throws IOException {
        String secret = o.containsKey("secret-file")
                ? Files.readString(Path.of(o.get("secret-file"))).strip()
                : System.getenv().getOrDefault("FLASHSALE_CHECKOUT_WEBHOOK_SECRET", "");
        if (secret.isEmpty()) {
            throw new IllegalArgumentException("no webhook secret: give --secret-file F or set FLASHSALE_CHECKOUT_WEBHOOK_SECRET");
        }
        return secret;
    }

    /** Serves the payment page (and /health) on loopback; port 0 picks a free one. */
    HttpServer start(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/", this::handle);
        // a webhook call may take seconds: one shopper's payment must not hold up another's page
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
        return server;
    }

    /** sale-api's answer to one payment. */
    record Answer(int status, String body) {
        boolean accepted() {
            return status / 100 == 2;
        }

        /** The envelope's {@code error.code}, or the status when there is none. */
        String code() {
            Matcher m = ERROR_CODE.matcher(body);
            return m.find() ? m.group(1) : "HTTP_" + status;
        }
    }

    /** Pays the hold {@code purchaseId}: the signed {@code payment.succeeded} event to sale-api's webhook. */
    Answer pay(String purchaseId, String paymentId) throws IOException, InterruptedException {
        byte[] body = paymentEvent(purchaseId, paymentId).getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(webhook)
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header(SIGNATURE_HEADER, signature(Instant.now().getEpochSecond(), body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        Answer answer = new Answer(response.statusCode(), response.body());
        log.println(Instant.now() + " payment " + paymentId + " of " + purchaseId + ": HTTP " + answer.status() + " " + answer.body());
        return answer;
    }

    /** A payment id never used before: sale-api answers a repeated one with its first answer. */
    static String newPaymentId() {
        return "testpay-" + UUID.randomUUID();
    }

    /** The event a provider sends for a successful payment; the amount is 0: no money moves. */
    static String paymentEvent(String purchaseId, String paymentId) {
        return "{\"type\":\"payment.succeeded\",\"purchaseId\":" + jsonString(purchaseId)
                + ",\"paymentId\":" + jsonString(paymentId) + ",\"amount\":0}";
    }

    /** {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">}, as sale-api checks it. */
    String signature(long t, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
            return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals("/health") && method.equals("GET")) {
                respond(exchange, 200, "text/plain; charset=utf-8", "ok\n");
            } else if (!path.equals("/pay")) {
                respond(exchange, 404, HTML, page("Not found", "<p>The payment page is <code>/pay</code>.</p>"));
            } else if (method.equals("GET")) {
                showPaymentPage(exchange);
            } else if (method.equals("POST")) {
                decide(exchange);
            } else {
                exchange.getResponseHeaders().set("Allow", "GET, POST");
                respond(exchange, 405, HTML, page("Method not allowed", ""));
            }
        } finally {
            exchange.close();
        }
    }

    /** What a payment names: the hold, and an http(s) page of the shop to send the shopper back to. */
    record PaymentRequest(String purchaseId, URI returnUrl) {

        /** The request's parameters, checked; an IllegalArgumentException says what is wrong. */
        static PaymentRequest of(Map<String, String> params) {
            String purchaseId = params.getOrDefault("purchaseId", "");
            if (purchaseId.isBlank() || purchaseId.length() > MAX_PURCHASE_ID || purchaseId.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("purchaseId must be 1.." + MAX_PURCHASE_ID + " characters, no control characters");
            }
            String returnUrl = params.getOrDefault("returnUrl", "");
            URI uri;
            try {
                uri = returnUrl.length() > MAX_RETURN_URL ? null : new URI(returnUrl);
            } catch (URISyntaxException e) {
                uri = null;
            }
            // only a web page: a javascript: or data: URL would run in the shop's name
            if (uri == null || uri.getScheme() == null || !(uri.getScheme().equalsIgnoreCase("http") || uri.getScheme().equalsIgnoreCase("https"))
                    || uri.getHost() == null) {
                throw new IllegalArgumentException("returnUrl must be an http or https URL");
            }
            return new PaymentRequest(purchaseId, uri);
        }

        /** The shop's page with {@code query} added (before any fragment). */
        String back(String query) {
            String url = returnUrl.toString();
            int hash = url.indexOf('#');
            String fragment = hash < 0 ? "" : url.substring(hash);
            String base = hash < 0 ? url : url.substring(0, hash);
            return base + (returnUrl.getRawQuery() == null ? "?" : "&") + query + fragment;
        }
    }

    private void showPaymentPage(HttpExchange exchange) throws IOException {
        PaymentRequest request;
        try {
            request = PaymentRequest.of(params(exchange.getRequestURI().getRawQuery()));
        } catch (IllegalArgumentException e) {
            respond(exchange, 400, HTML, page("Bad payment request", "<p>" + html(e.getMessage()) + "</p>"));
            return;
        }
        respond(exchange, 200, HTML, paymentPage(request));
    }

    static String paymentPage(PaymentRequest request) {
        return page("Pay for your hold", """
                <dl>
                  <dt>Purchase</dt><dd><code>%s</code></dd>
                  <dt>Back to</dt><dd><code>%s</code></dd>
                </dl>
                <form method="post" action="/pay">
                  <input type="hidden" name="purchaseId" value="%s">
                  <input type="hidden" name="returnUrl" value="%s">
                  <button type="submit" name="action" value="pay">Pay</button>
                  <button type="submit" name="action" value="fail">Payment fails</button>
                  <button type="submit" name="action" value="abandon">Let it expire</button>
                </form>
                <p class="hint">Pay: tells the shop the hold is paid, signed as a provider's webhook.
                Payment fails, Let it expire: back to the shop without paying; the hold stays until it expires.</p>
                """.formatted(html(request.purchaseId()), html(request.returnUrl().toString()),
                html(request.purchaseId()), html(request.returnUrl().toString())));
    }

    private void decide(HttpExchange exchange) throws IOException {
        PaymentRequest request;
        String action;
        try (InputStream in = exchange.getRequestBody()) {
            byte[] form = in.readNBytes(MAX_FORM + 1);
            if (form.length > MAX_FORM) {
                throw new IllegalArgumentException("the form is too large");
            }
            Map<String, String> params = params(new String(form, StandardCharsets.US_ASCII));
            request = PaymentRequest.of(params);
            action = params.getOrDefault("action", "");
        } catch (IllegalArgumentException e) {
            respond(exchange, 400, HTML, page("Bad payment request", "<p>" + html(e.getMessage()) + "</p>"));
            return;
        }
        String outcome = switch (action) {
            case "pay" -> {
                try {
                    Answer answer = pay(request.purchaseId(), newPaymentId());
                    yield answer.accepted() ? "payment=succeeded" : "payment=refused&code=" + encode(answer.code());
                } catch (IOException | InterruptedException e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                    log.println(Instant.now() + " payment of " + request.purchaseId() + ": no answer from " + webhook + ": " + e);
                    yield "payment=refused&code=NETWORK_ERROR";
                }
            }
            case "fail" -> "payment=failed";
            case "abandon" -> "payment=abandoned";
            default -> null;
        };
        if (outcome == null) {
            respond(exchange, 400, HTML, page("Bad payment request", "<p>Unknown action.</p>"));
            return;
        }
        exchange.getResponseHeaders().set("Location", request.back(outcome));
        exchange.sendResponseHeaders(303, -1);
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    /** A whole page that names itself as the test provider; {@code content} is HTML already escaped. */
    private static String page(String title, String content) {
        return """
                <!doctype html>
                <html lang="en">
                <head>
                <meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>%1$s · %2$s</title>
                <style>
                  body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 36rem; padding: 0 1rem; line-height: 1.5; }
                  .banner { background: #fdf3e1; border-left: 4px solid #9a5b00; padding: 0.5rem 1rem; }
                  dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
                  dd { margin: 0; overflow-wrap: anywhere; }
                  button { font: inherit; padding: 0.6rem 1rem; margin: 0 0.5rem 0.5rem 0; }
                  .hint { color: #5b6271; font-size: 0.9rem; }
                </style>
                </head>
                <body>
                <main>
                <p class="banner">%1$s</p>
                <h1>%2$s</h1>
                %3$s</main>
                </body>
                </html>
                """.formatted(html(NAME), html(title), content);
    }

    static String html(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** A query string or url-encoded form; the first value of a name counts. */
    static Map<String, String> params(String encoded) {
        Map<String, String> params = new HashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return params;
        }
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.putIfAbsent(name, value);
        }
        return params;
    }
}
