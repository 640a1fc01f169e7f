package dev.flashsale.tools;

import static dev.flashsale.tools.CliOptions.required;

import dev.flashsale.core.DeleteResult;
import dev.flashsale.core.SaleSpec;
import dev.flashsale.core.SaleStore;
import dev.flashsale.core.SaleView;
import dev.flashsale.core.UpsertResult;
import dev.flashsale.core.Violations;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * Sales from the command line, through the same sale-core code the operator uses: the local stack's
 * demo sale, the end-to-end tests and an admin without Kubernetes. Times are ISO-8601 instants or
 * offsets from the Redis clock such as {@code +10s}, {@code +2m}, {@code -1m} or {@code now}.
 *
 * <pre>
 * sale upsert --id ID --sku SKU --product-name NAME --initial-stock N [--per-user-limit N] [--hold-for D] --start T --end T
 * sale pause|resume|cancel|view|delete [--force] --id ID
 * sale list
 * </pre>
 * {@code --hold-for} gives the sale a checkout: a purchase holds its units for that long until paid
 * ({@code 30s}, {@code 10m}; sale-core allows 1s..24h, the FlashSale resource 1m..24h).
 * The Redis URL comes from {@code --redis} or FLASHSALE_REDIS_URL.
 */
public final class SaleCli {

    private SaleCli() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println("usage: sale upsert|pause|resume|cancel|view|delete|list [--option value]...");
            return 2;
        }
        Map<String, String> opts;
        try {
            opts = CliOptions.parse(args, 1);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            return 2;
        }
        String url = opts.getOrDefault("redis", System.getenv().getOrDefault("FLASHSALE_REDIS_URL", "redis://127.0.0.1:6379"));
        RedisClient client = RedisClient.create(url);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            SaleStore store = new SaleStore(connection.reactive());
            return execute(args[0], opts, store, out, err);
        } catch (Violations.InvalidInputException e) {
            err.println("invalid sale: " + e.fields());
            return 2;
        } catch (IllegalArgumentException | DateTimeParseException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } finally {
            client.shutdown();
        }
    }

    private static int execute(String command, Map<String, String> o, SaleStore store, PrintStream out, PrintStream err) {
        switch (command) {
            case "upsert" -> {
                Instant now = store.serverTime().block();
                SaleSpec spec = new SaleSpec(required(o, "id"), required(o, "sku"), required(o, "product-name"),
                        Long.parseLong(required(o, "initial-stock")), Integer.parseInt(o.getOrDefault("per-user-limit", "1")),
                        time(required(o, "start"), now), time(required(o, "end"), now),
                        Boolean.parseBoolean(o.getOrDefault("paused", "false")), false,
                        o.containsKey("hold-for") ? duration(o.get("hold-for")) : null);
                return report(store.upsert(spec).block(), spec.id(), out, err);
            }
            case "pause" -> { return report(store.pause(required(o, "id"), true).block(), o.get("id"), out, err); }
            case "resume" -> { return report(store.pause(required(o, "id"), false).block(), o.get("id"), out, err); }
            case "cancel" -> { return report(store.cancel(required(o, "id")).block(), o.get("id"), out, err); }
            case "view" -> {
                SaleView v = store.view(required(o, "id")).block();
                if (v == null) {
                    err.println("no sale " + o.get("id"));
                    return 1;
                }
                out.println(describe(v));
                return 0;
            }
            case "list" -> {
                store.list().doOnNext(v -> out.println(describe(v))).blockLast();
                return 0;
            }
            case "delete" -> {
                DeleteResult r = store.delete(required(o, "id"), o.containsKey("force")).block();
                out.println(r.outcome() + " sold=" + r.sold() + " persisted=" + r.persisted());
                return r.outcome() == DeleteResult.Outcome.NOT_PERSISTED ? 1 : 0;
            }
            default -> {
                err.println("unknown command: " + command);
                return 2;
            }
        }
    }

    private static int report(UpsertResult r, String id, PrintStream out, PrintStream err) {
        switch (r.outcome()) {
            case REFUSED -> {
                err.println("refused: " + r.refusedField() + " cannot change now");
                return 1;
            }
            case SALE_NOT_FOUND -> {
                err.println("no sale " + id);
                return 1;
            }
            default -> {
                out.println(r.outcome() + " " + id + " " + r.state() + (r.endReason() == null ? "" : " " + r.endReason()));
                return 0;
            }
        }
    }

    private static String describe(SaleView v) {
        return String.format("%s %s stock=%d/%d sold=%d persisted=%d start=%s end=%s%s%s", v.id(), v.state(), v.stock(),
                v.initialStock(), v.sold(), v.persisted(), v.startTime(), v.endTime(),
                v.endReason() == null ? "" : " endReason=" + v.endReason(),
                v.holdFor() == null ? "" : " holdFor=" + v.holdFor() + " held=" + v.held());
    }

    /** An instant, or an offset from the Redis clock: now, +10s, -2m, +1h, +500ms. */
    static Instant time(String value, Instant now) {
        if (value.equals("now")) {
            return now;
        }
        if (value.startsWith("+") || value.startsWith("-")) {
            Duration d;
            try {
                d = duration(value.substring(1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad offset " + value + " (use ms, s, m or h)");
            }
            return value.startsWith("+") ? now.plus(d) : now.minus(d);
        }
        return Instant.parse(value);
    }

    /** 500ms, 10s, 2m, 1h. */
    static Duration duration(String value) {
        try {
            if (value.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
            }
            long n = Long.parseLong(value.substring(0, value.length() - 1));
            return switch (value.charAt(value.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("bad duration " + value + " (use ms, s, m or h)");
        }
    }
}
