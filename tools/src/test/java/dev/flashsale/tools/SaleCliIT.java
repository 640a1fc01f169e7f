package dev.flashsale.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.testing.TestIds;
import dev.flashsale.testing.TestRedis;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A sale's life through the CLI against the test Redis, with the answers scripts parse. */
class SaleCliIT {

    /** A database of its own: the background loops of sale-api's tests work in database 0. */
    private static final String REDIS = TestRedis.url(5);

    @Test
    void upsertPauseViewListCancelDelete() {
        String id = TestIds.unique("cli");
        assertThat(cli("upsert", "--id", id, "--sku", "CLI-1", "--product-name", "CLI sale", "--initial-stock", "5",
                "--start", "+1m", "--end", "+30m")).isEqualTo("0 CREATED " + id + " UPCOMING");
        assertThat(cli("pause", "--id", id)).isEqualTo("0 UPDATED " + id + " PAUSED");
        assertThat(cli("view", "--id", id)).startsWith("0 " + id + " PAUSED stock=5/5 sold=0 persisted=0 start=");
        assertThat(cli("list")).contains(id + " PAUSED stock=5/5");
        assertThat(cli("cancel", "--id", id)).isEqualTo("0 UPDATED " + id + " ENDED CANCELLED");
        assertThat(cli("delete", "--id", id)).isEqualTo("0 DELETED sold=0 persisted=0");
        assertThat(cli("view", "--id", id)).isEqualTo("1 no sale " + id);
    }

    @Test
    void anInvalidSaleIsRefusedWithItsFields() {
        assertThat(cli("upsert", "--id", TestIds.unique("cli"), "--sku", "CLI-1", "--product-name", "CLI sale",
                "--initial-stock", "0", "--start", "+1m", "--end", "+30m"))
                .startsWith("2 invalid sale: ").contains("initialStock");
    }

    /** The exit status, then what the CLI printed (stdout and stderr), trimmed. */
    private static String cli(String... args) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(printed, true, StandardCharsets.UTF_8);
        String[] withRedis = Arrays.copyOf(args, args.length + 2);
        withRedis[args.length] = "--redis";
        withRedis[args.length + 1] = REDIS;
        int status = SaleCli.run(withRedis, stream, stream);
        return status + " " + printed.toString(StandardCharsets.UTF_8).strip();
    }
}
