package dev.flashsale.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What the CLI decides before it talks to Redis: times relative to the Redis clock, bad arguments. */
class SaleCliTest {

    private static final Instant NOW = Instant.parse("2030-02-15T10:00:00Z");

    @Test
    void timesAreInstantsOrOffsetsFromTheRedisClock() {
        assertThat(SaleCli.time("now", NOW)).isEqualTo(NOW);
        assertThat(SaleCli.time("+10s", NOW)).isEqualTo("2030-02-15T10:00:10Z");
        assertThat(SaleCli.time("-2m", NOW)).isEqualTo("2030-02-15T09:58:00Z");
        assertThat(SaleCli.time("+1h", NOW)).isEqualTo("2030-02-15T11:00:00Z");
        assertThat(SaleCli.time("+500ms", NOW)).isEqualTo("2030-02-15T10:00:00.500Z");
        assertThat(SaleCli.time("2030-03-01T00:00:00Z", NOW)).isEqualTo("2030-03-01T00:00:00Z");
        assertThatThrownBy(() -> SaleCli.time("+3d", NOW)).hasMessageContaining("bad offset +3d");
    }

    @Test
    void holdsLastDurationsInTheSameUnits() {
        assertThat(SaleCli.duration("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(SaleCli.duration("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(SaleCli.duration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(SaleCli.duration("1500ms")).isEqualTo(Duration.ofMillis(1500));
        assertThatThrownBy(() -> SaleCli.duration("m")).hasMessage("bad duration m (use ms, s, m or h)");
        assertThatThrownBy(() -> SaleCli.duration("")).hasMessage("bad duration  (use ms, s, m or h)");
    }

    @Test
    void badArgumentsExitWithTwoBeforeAnyConnection() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new ByteArrayOutputStream());
        assertThat(SaleCli.run(new String[0], out, new PrintStream(err, true))).isEqualTo(2);
        assertThat(SaleCli.run(new String[] {"view", "widget"}, out, new PrintStream(err, true))).isEqualTo(2);
        assertThat(err.toString()).contains("usage: sale", "unexpected argument: widget");
    }
}
