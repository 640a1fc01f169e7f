package dev.flashsale.api;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An OpenID Connect issuer for the tests: discovery and a JWKS over real HTTP, tokens minted with
 * its current RSA key, and a key rotation. Counts JWKS fetches so tests can see keys are cached.
 */
final class TestIssuer implements AutoCloseable {

    static final String AUDIENCE = "flashsale-api";

    private final HttpServer server;
    private final String url;
    private final AtomicInteger jwksFetches = new AtomicInteger();
    private volatile RSAKey key = newKey();

    TestIssuer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        url = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/test";
        server.createContext("/realms/test/.well-known/openid-configuration", ex -> json(ex,
                "{\"issuer\":\"" + url + "\",\"jwks_uri\":\"" + url + "/jwks\",\"subject_types_supported\":[\"public\"]}"));
        server.createContext("/realms/test/jwks", ex -> {
            jwksFetches.incrementAndGet();
            json(ex, new JWKSet(key.toPublicJWK()).toString());
        });
        server.start();
    }

    String url() {
        return url;
    }

    int jwksFetches() {
        return jwksFetches.get();
    }

    /** A new signing key with a new kid; the JWKS publishes only it from now on. */
    void rotateKey() {
        key = newKey();
    }

    /** A valid access token for {@code subject}: right issuer and audience, five minutes to live. */
    String token(String subject) {
        return token(subject, claims -> {});
    }

    String token(String subject, Consumer<JWTClaimsSet.Builder> change) {
        return sign(key, subject, change);
    }

    /** Signed by a key this issuer never published (but claiming to be its current one). */
    String tokenOfAnotherKey(String subject) {
        RSAKey other = newKey();
        return sign(new RSAKey.Builder(other).keyID(key.getKeyID()).build(), subject, claims -> {});
    }

    /** An unsigned token ({@code alg: none}) that is otherwise valid. */
    String unsignedToken(String subject) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(claims(subject).build().toString().getBytes(StandardCharsets.UTF_8));
        return header + "." + payload + ".";
    }

    private String sign(RSAKey signingKey, String subject, Consumer<JWTClaimsSet.Builder> change) {
        JWTClaimsSet.Builder claims = claims(subject);
        change.accept(claims);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(signingKey.getKeyID()).build(),
                claims.build());
        try {
            jwt.sign(new RSASSASigner(signingKey));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    private JWTClaimsSet.Builder claims(String subject) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(url).subject(subject).audience(List.of(AUDIENCE, "account"))
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)))
                .claim("preferred_username", subject);
    }

    private static RSAKey newKey() {
        try {
            return new RSAKeyGenerator(2048).keyID(UUID.randomUUID().toString()).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void json(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
