package dev.flashsale.tools;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Access tokens for the benchmark: one per shopper ({@code sub} = bench-shopper-N), RS256-signed by
 * a benchmark key that sale-api trusts in the benchmark's oidc run (its public key as
 * spring.security.oauth2.resourceserver.jwt.public-key-location). Tokens name no sale, so one file
 * serves every scenario and run until it nears its expiry.
 *
 * <pre>bench-tokens --dir DIR --count N   writes DIR/bench-issuer.pub and DIR/tokens.txt</pre>
 */
public final class BenchTokens {

    static final String AUDIENCE = "flashsale-api";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private BenchTokens() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(option(args, "--dir", ".flashsale/bench"));
        int count = Integer.parseInt(option(args, "--count", "250000"));
        Files.createDirectories(dir);
        PrivateKey key = key(dir);
        Path tokens = dir.resolve("tokens.txt");
        Path stamp = dir.resolve("tokens.count");
        if (Files.exists(tokens) && Files.exists(stamp) && Files.readString(stamp).strip().equals(Integer.toString(count))
                && Files.getLastModifiedTime(tokens).toInstant().isAfter(Instant.now().minusSeconds(5 * 86400))) {
            System.out.println("bench-tokens: " + count + " tokens in " + tokens + " are still valid; kept");
            return;
        }
        long exp = Instant.now().plusSeconds(7 * 86400).getEpochSecond();
        String header = B64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"bench\"}".getBytes(StandardCharsets.UTF_8));
        String[] out = new String[count];
        AtomicInteger done = new AtomicInteger();
        long start = System.nanoTime();
        IntStream.range(0, count).parallel().forEach(i -> {
            String payload = B64.encodeToString(("{\"iss\":\"flashsale-bench\",\"sub\":\"bench-shopper-" + i + "\",\"aud\":\""
                    + AUDIENCE + "\",\"iat\":" + (exp - 7 * 86400) + ",\"exp\":" + exp + "}").getBytes(StandardCharsets.UTF_8));
            out[i] = header + "." + payload + "." + sign(key, header + "." + payload);
            int n = done.incrementAndGet();
            if (n % (count / 10 == 0 ? 1 : count / 10) == 0) {
                System.out.printf("bench-tokens: %d/%d signed (%.0f s)%n", n, count, (System.nanoTime() - start) / 1e9);
            }
        });
        try (Writer w = Files.newBufferedWriter(tokens)) {
            for (String t : out) {
                w.write(t);
                w.write('\n');
            }
        }
        Files.writeString(stamp, Integer.toString(count));
        System.out.println("bench-tokens: " + count + " tokens written to " + tokens);
    }

    /** The benchmark key pair, made once: private key beside its public half (PEM, as Boot reads it). */
    private static PrivateKey key(Path dir) throws IOException, GeneralSecurityException {
        Path priv = dir.resolve("bench-issuer.key");
        Path pub = dir.resolve("bench-issuer.pub");
        if (!Files.exists(priv) || !Files.exists(pub)) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            Files.write(priv, pair.getPrivate().getEncoded());
            Files.writeString(pub, "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPublic().getEncoded())
                    + "\n-----END PUBLIC KEY-----\n");
            Files.deleteIfExists(dir.resolve("tokens.txt"));
        }
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(priv)));
    }

    private static String sign(PrivateKey key, String input) {
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(key);
            rsa.update(input.getBytes(StandardCharsets.US_ASCII));
            return B64.encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String option(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
