package dev.flashsale.core;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * The Lua scripts of sale-core, each the shared prelude (common.lua) plus its body. Called by SHA;
 * after a Redis restart (NOSCRIPT) the script is sent once with EVAL, which caches it again.
 */
public enum Scripts {
    PURCHASE("purchase"), VIEW("view"), MY_PURCHASE("my_purchase"), UPSERT("upsert"), SET_FLAG("set_flag"),
    DELETE("delete"), MARK_PERSISTED("mark_persisted"), REDRIVE("redrive"), PAY("pay"), CANCEL("cancel"),
    EXPIRE("expire");

    private final String source;
    private final String sha;

    Scripts(String name) {
        this.source = resource("common") + resource(name);
        this.sha = sha1(source);
    }

    /** Runs the script, returning its reply: a list for most scripts, a number for mark_persisted. */
    @SuppressWarnings("unchecked")
    public <T> Mono<T> run(RedisReactiveCommands<String, String> redis, ScriptOutputType type,
                           List<String> keys, String... args) {
        String[] k = keys.toArray(String[]::new);
        return redis.<T>evalsha(sha, type, k, args).next()
                .onErrorResume(RedisNoScriptException.class, e -> redis.<T>eval(source, type, k, args).next());
    }

    public String source() {
        return source;
    }

    /** The prelude with a test body, for exercising the shared rules (state_at) directly. */
    public static String withPrelude(String body) {
        return resource("common") + body;
    }

    private static String resource(String name) {
        try (InputStream in = Scripts.class.getResourceAsStream("lua/" + name + ".lua")) {
            if (in == null) {
                throw new IllegalStateException("missing script " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static long num(Object o) {
        return o instanceof Number n ? n.longValue() : Long.parseLong((String) o);
    }

    static Instant instant(Object o) {
        return Instant.ofEpochMilli(num(o));
    }
}
