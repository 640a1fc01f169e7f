package dev.flashsale.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.core.SaleSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random client input (headers, bodies, content types, ids, methods) must never produce a 5xx
 * and must always be answered with the JSON envelope. The seed is printed so a failure replays.
 */
class BadInputFuzzIT extends ApiTestSupport {

    private static final String[] BODIES = {"", "{}", "{\"qty\":1}", "{\"qty\":-5}", "{\"qty\":1e3}", "{\"qty\":99999999999}",
            "{\"qty\":null}", "{\"qty\":true}", "{\"qty\":[1]}", "null", "[]", "\"str\"", "{", "}{", "{\"qty\":1,}",
            "\u0000\u0001", "{\"qty\":\"1\"}", "{\"qty\":2.5}", "{\"a\":{\"b\":{\"c\":[]}}}"};
    private static final String[] TYPES = {"application/json", "text/plain", "application/xml", "application/x-www-form-urlencoded",
            "application/merge-patch+json", "multipart/form-data; boundary=x", "garbage", "application/json; charset=nope",
            ";;;", null};
    private static final String[] PATHS = {"/api/v1/sales/%s/purchases", "/api/v1/sales/%s", "/api/v1/sales/%s/purchases/me",
            "/api/v1/sales/%s/events/extra", "/api/v1/sales/%s/purchases/%%2e%%2e", "/api/v1/sales/%s%%00"};

    @Test
    void randomBadInputNeverFailsTheServer() throws Exception {
        SaleSpec sale = activeSale("fuzz", 1_000, 3);
        long seed = System.nanoTime();
        Random r = new Random(seed);
        String[] ids = {sale.id(), "UPPER", "a".repeat(70), "-x-", "no-such", "%F0%9F%98%80", "a%20b"};
        String[] methods = {"GET", "POST", "PUT", "DELETE", "PATCH"};
        for (int i = 0; i < 300; i++) {
            String path = String.format(PATHS[r.nextInt(PATHS.length)], ids[r.nextInt(ids.length)]);
            String method = methods[r.nextInt(methods.length)];
            String body = BODIES[r.nextInt(BODIES.length)];
            String type = TYPES[r.nextInt(TYPES.length)];
            String user = randomUser(r);
            StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            if (user != null) {
                head.append("X-User-Id: ").append(user).append("\r\n");
            }
            if (r.nextInt(4) == 0) {
                head.append("Idempotency-Key: ").append(r.nextBoolean() ? "k" + r.nextInt(1000) : "bad key " + r.nextInt(9)).append("\r\n");
            }
            if (type != null) {
                head.append("Content-Type: ").append(type).append("\r\n");
            }
            byte[] payload = body.getBytes(StandardCharsets.UTF_8);
            head.append("Content-Length: ").append(payload.length).append("\r\n\r\n");
            String response = send(head.toString().getBytes(StandardCharsets.UTF_8), payload);
            String what = "seed " + seed + " #" + i + ": " + method + " " + path + " type=" + type + " user=" + user + " body=" + body;
            int status = Integer.parseInt(response.substring(9, 12));
            assertThat(status).as(what + "\n" + response).isLessThan(500);
            if (status >= 400) {
                assertThat(response.substring(response.indexOf("\r\n\r\n") + 4)).as(what)
                        .startsWith("{\"success\":false,\"error\":{\"code\":");
            }
        }
        assertThat(view(sale.id()).sold()).isLessThanOrEqualTo(1_000);
    }

    /**
     * Raw HTTP/1.1 over a socket: headers go out byte for byte, as a hostile client would send them.
     * The connection stays open until the whole response is read (Content-Length or the last chunk),
     * so the server reads our body too and never resets the connection under the answer.
     */
    private String send(byte[] head, byte[] body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(head);
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            int headerEnd = -1;
            long expected = -1;
            boolean chunked = false;
            for (int b; (b = in.read()) >= 0; ) {
                response.write(b);
                String text = response.toString(StandardCharsets.ISO_8859_1);
                if (headerEnd < 0 && text.endsWith("\r\n\r\n")) {
                    headerEnd = text.length();
                    String lower = text.toLowerCase();
                    int cl = lower.indexOf("content-length:");
                    expected = cl < 0 ? -1 : Long.parseLong(lower.substring(cl + 15, lower.indexOf("\r\n", cl)).strip());
                    chunked = lower.contains("transfer-encoding: chunked");
                    if (!chunked && expected <= 0) {
                        break;
                    }
                }
                if (headerEnd >= 0 && ((!chunked && text.length() - headerEnd >= expected) || (chunked && text.endsWith("0\r\n\r\n")))) {
                    break;
                }
            }
            return response.toString(StandardCharsets.UTF_8);
        }
    }

    private static String randomUser(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> null;
            case 1 -> " \t ";
            case 2 -> "u".repeat(1 + r.nextInt(300));
            case 3 -> "user\u00e9\u4e2d" + r.nextInt(100);
            case 4 -> "x|y|" + r.nextInt(100);
            default -> "user" + r.nextInt(50);
        };
    }
}
