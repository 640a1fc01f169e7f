package dev.flashsale.api.checkout;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The payment webhook's {@code Flashsale-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<raw body>">}. The timestamp is signed with the body, so a captured request cannot be
 * replayed after the tolerance; several {@code v1} values are accepted (a provider rotating its
 * secret signs with both).
 */
public final class WebhookSignature {

    static final Duration TOLERANCE = Duration.ofMinutes(5);
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    public WebhookSignature(String secret) {
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    /** The header value for {@code body} signed at {@code t}. */
    public String sign(long t, byte[] body) {
        return "t=" + t + ",v1=" + HexFormat.of().formatHex(mac(t, body));
    }

    /** True when {@code header} signs {@code body} with this secret within the tolerance of {@code now}. */
    public boolean verify(String header, byte[] body, Instant now) {
        if (header == null) {
            return false;
        }
        long t = -1;
        List<byte[]> signatures = new ArrayList<>();
        for (String part : header.split(",")) {
            String[] kv = part.strip().split("=", 2);
            if (kv.length != 2) {
                return false;
            }
            try {
                switch (kv[0]) {
                    case "t" -> t = Long.parseLong(kv[1]);
                    case "v1" -> signatures.add(HexFormat.of().parseHex(kv[1]));
                    default -> { }
                }
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        if (t < 0 || Math.abs(now.getEpochSecond() - t) > TOLERANCE.toSeconds()) {
            return false;
        }
        byte[] expected = mac(t, body);
        return signatures.stream().anyMatch(v1 -> MessageDigest.isEqual(expected, v1));
    }

    private byte[] mac(long t, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
