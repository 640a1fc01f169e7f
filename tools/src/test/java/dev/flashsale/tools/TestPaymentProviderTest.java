package dev.flashsale.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test payment provider against a stand-in for sale-api's webhook: the signature sale-api
 * checks, the page and what it echoes, and where each button sends the shopper.
 */
class TestPaymentProviderTest {

    private static final String SECRET = "test-webhook-secret";
    private static final String RETURN = "http://127.0.0.1:8080/sales/widget-drop";

    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    /** What the stand-in for sale-api received: the signature header and the raw body. */
    private record Received(String signature, String body) {}

    private final List<Received> received = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
    }

    @Test
    void theSignatureIsHmacSha256OfTheTimestampDotTheRawBody() {
        // the expected value from: printf '%s' '1700000000.<body>' | openssl dgst -sha256 -hmac test-webhook-secret
        String body = "{\"type\":\"payment.succeeded\",\"purchaseId\":\"widget-drop-0hftiw6uhxs\",\"paymentId\":\"pay-1\",\"amount\":0}";
        assertThat(TestPaymentProvider.paymentEvent("widget-drop-0hftiw6uhxs", "pay-1")).isEqualTo(body);
        assertThat(provider(URI.create("http://127.0.0.1:1/")).signature(1_700_000_000L, body.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("t=1700000000,v1=7ce98e3ad911c5cc3dd1955e5a0de19d8f1895a59744541e63a9c3538fb7bb2d");
    }

    @Test
    void theEventEscapesWhatItQuotes() {
        assertThat(TestPaymentProvider.paymentEvent("a\"b\\c\n", "p"))
                .isEqualTo("{\"type\":\"payment.succeeded\",\"purchaseId\":\"a\\\"b\\\\c\\u000a\",\"paymentId\":\"p\",\"amount\":0}");
    }

    @Test
    void theFormNamesTheProviderAndEscapesEverythingItEchoes() throws Exception {
        URI pay = servePayments(webhook(200, "{}"));
        String purchaseId = "\"><script>alert(1)</script>";
        // a URL cannot hold a quote or angle brackets unencoded (such a returnUrl is refused), but & and ' it can
        String returnUrl = "http://127.0.0.1:8080/sales/x?a=1&b='2'";
        HttpResponse<String> page = get(pay.resolve("/pay?purchaseId=" + enc(purchaseId) + "&returnUrl=" + enc(returnUrl)));

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body())
                .contains("Flashsale test payment provider — no real money")
                .contains(">Pay</button>", ">Payment fails</button>", ">Let it expire</button>")
                .contains("value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\"", "value=\"http://127.0.0.1:8080/sales/x?a=1&amp;b=&#39;2&#39;\"")
                .doesNotContain("<script>", "b='2'");
        assertThat(received).isEmpty();
    }

    @Test
    void onlyAWebPageIsAPlaceToGoBackTo() throws Exception {
        URI pay = servePayments(webhook(200, "{}"));
        for (String returnUrl : List.of("javascript:alert(1)", "data:text/html,hi", "/sales/x", "http:///nohost", "")) {
            HttpResponse<String> page = get(pay.resolve("/pay?purchaseId=p-1&returnUrl=" + enc(returnUrl)));
            assertThat(page.statusCode()).as(returnUrl).isEqualTo(400);
            assertThat(page.body()).contains("returnUrl must be an http or https URL");
            assertThat(post(pay, "p-1", returnUrl, "pay").statusCode()).as(returnUrl).isEqualTo(400);
        }
        assertThat(get(pay.resolve("/pay?returnUrl=" + enc(RETURN))).statusCode()).isEqualTo(400);
        assertThat(received).isEmpty();
    }

    @Test
    void payCallsTheWebhookSignedWithAFreshPaymentIdAndGoesBackSucceeded() throws Exception {
        URI pay = servePayments(webhook(200, "{\"success\":true,\"data\":{\"status\":\"CONFIRMED\"}}"));
        long before = Instant.now().getEpochSecond();

        HttpResponse<String> first = post(pay, "widget-drop-0hftiw6uhxs", RETURN, "pay");
        HttpResponse<String> second = post(pay, "widget-drop-0hftiw6uhxs", RETURN, "pay");

        assertThat(first.statusCode()).isEqualTo(303);
        assertThat(first.headers().firstValue("Location")).hasValue(RETURN + "?payment=succeeded");
        assertThat(second.headers().firstValue("Location")).hasValue(RETURN + "?payment=succeeded");
        assertThat(received).hasSize(2);
        Received event = received.get(0);
        assertThat(event.body()).matches("\\{\"type\":\"payment.succeeded\",\"purchaseId\":\"widget-drop-0hftiw6uhxs\","
                + "\"paymentId\":\"testpay-[0-9a-f-]{36}\",\"amount\":0}");
        assertThat(event.signature()).matches("t=\\d+,v1=[0-9a-f]{64}");
        long t = Long.parseLong(event.signature().substring(2, event.signature().indexOf(',')));
        assertThat(t).isBetween(before, Instant.now().getEpochSecond());
        assertThat(event.signature()).isEqualTo(provider(pay).signature(t, event.body().getBytes(StandardCharsets.UTF_8)));
        assertThat(received.get(1).body()).isNotEqualTo(event.body()); // another payment id
    }

    @Test
    void aRefusedPaymentGoesBackWithSaleApisErrorCodeBeforeTheFragment() throws Exception {
        URI pay = servePayments(webhook(409, "{\"success\":false,\"error\":{\"code\":\"HOLD_EXPIRED\",\"message\":\"expired\"}}"));
        HttpResponse<String> answer = post(pay, "p-1", "https://shop.example/sales/x?lang=en#buy", "pay");
        assertThat(answer.statusCode()).isEqualTo(303);
        assertThat(answer.headers().firstValue("Location")).hasValue("https://shop.example/sales/x?lang=en&payment=refused&code=HOLD_EXPIRED#buy");
    }

    @Test
    void aWebhookThatCannotBeReachedIsARefusal() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        URI pay = servePayments(URI.create("http://127.0.0.1:" + closed + "/api/v1/payments/events"));
        assertThat(post(pay, "p-1", RETURN, "pay").headers().firstValue("Location")).hasValue(RETURN + "?payment=refused&code=NETWORK_ERROR");
    }

    @Test
    void failingAndLettingItExpireGoBackWithoutCallingSaleApi() throws Exception {
        URI pay = servePayments(webhook(200, "{}"));
        assertThat(post(pay, "p-1", RETURN, "fail").headers().firstValue("Location")).hasValue(RETURN + "?payment=failed");
        assertThat(post(pay, "p-1", RETURN, "abandon").headers().firstValue("Location")).hasValue(RETURN + "?payment=abandoned");
        assertThat(post(pay, "p-1", RETURN, "steal").statusCode()).isEqualTo(400);
        assertThat(received).isEmpty();
    }

    @Test
    void theCommandLinePaysOneHoldAndPrintsSaleApisAnswer(@TempDir Path dir) throws Exception {
        Path secretFile = Files.writeString(dir.resolve("webhook-secret"), SECRET + "\n");
        String accepted = "{\"success\":true,\"data\":{\"purchaseId\":\"p-1\",\"status\":\"CONFIRMED\"}}";
        URI hook = webhook(200, accepted);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = TestPaymentProvider.run(new String[] {"pay", "--purchase-id", "p-1", "--payment-id", "pay-7",
                "--webhook", hook.toString(), "--secret-file", secretFile.toString()}, new PrintStream(out, true), new PrintStream(log, true));

        assertThat(status).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("HTTP 200 " + accepted + "\n");
        Received event = received.get(0);
        assertThat(event.body()).contains("\"paymentId\":\"pay-7\"");
        long t = Long.parseLong(event.signature().substring(2, event.signature().indexOf(',')));
        assertThat(event.signature()).isEqualTo(provider(hook).signature(t, event.body().getBytes(StandardCharsets.UTF_8)));

        URI refusing = webhook(409, "{\"success\":false,\"error\":{\"code\":\"ALREADY_PAID\"}}");
        assertThat(TestPaymentProvider.run(new String[] {"pay", "--purchase-id", "p-1", "--webhook", refusing.toString(),
                "--secret-file", secretFile.toString()}, new PrintStream(new ByteArrayOutputStream()), System.err)).isEqualTo(1);
    }

    @Test
    void badArgumentsExitWithTwo() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errors = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream out = new PrintStream(new ByteArrayOutputStream());
        assertThat(TestPaymentProvider.run(new String[0], out, errors)).isEqualTo(2);
        assertThat(TestPaymentProvider.run(new String[] {"pay", "--webhook", "http://127.0.0.1:1/", "--secret-file", "/nonexistent"}, out, errors))
                .isEqualTo(2);
        assertThat(TestPaymentProvider.run(new String[] {"serve", "--webhook", "http://127.0.0.1:1/", "stray"}, out, errors)).isEqualTo(2);
        assertThat(TestPaymentProvider.run(new String[] {"serve", "--port", "0", "--webhook", "file:///etc/passwd"}, out, errors)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("usage: test-payment-provider", "unexpected argument: stray", "--webhook must be an http or https URL");
    }

    private TestPaymentProvider provider(URI webhook) {
        return new TestPaymentProvider(webhook, SECRET, new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    /** The provider's page on a free port, paying to {@code webhook}. */
    private URI servePayments(URI webhook) throws IOException {
        HttpServer server = provider(webhook).start(0);
        servers.add(server);
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    /** A stand-in for sale-api's webhook that records what it gets and answers {@code status} with {@code body}. */
    private URI webhook(int status, String body) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/payments/events", exchange -> {
            try (exchange) {
                received.add(new Received(exchange.getRequestHeaders().getFirst("Flashsale-Signature"),
                        new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(status, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        });
        server.start();
        servers.add(server);
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/payments/events");
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A click on one of the page's buttons. */
    private HttpResponse<String> post(URI pay, String purchaseId, String returnUrl, String action) throws Exception {
        String form = "purchaseId=" + enc(purchaseId) + "&returnUrl=" + enc(returnUrl) + "&action=" + action;
        return client.send(HttpRequest.newBuilder(pay.resolve("/pay"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
