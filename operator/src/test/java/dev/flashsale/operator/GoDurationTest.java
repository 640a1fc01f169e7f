package dev.flashsale.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashsale.operator.crd.GoDuration;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {

    @Test
    void parsesWhatKubernetesUsersWrite() {
        assertThat(GoDuration.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(GoDuration.parse("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(GoDuration.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(GoDuration.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(GoDuration.parse("0s")).isZero();
    }

    @Test
    void formatsWhatParseReadsBack() {
        assertThat(GoDuration.format(Duration.ofMinutes(10))).isEqualTo("10m");
        assertThat(GoDuration.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
        assertThat(GoDuration.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(GoDuration.format(Duration.ofHours(24))).isEqualTo("24h");
        assertThat(GoDuration.format(Duration.ofMillis(1250))).isEqualTo("1s250ms");
        assertThat(GoDuration.format(Duration.ZERO)).isEqualTo("0s");
        for (String text : new String[] {"10m", "1h30m", "1m30s", "24h", "1s250ms"}) {
            assertThat(GoDuration.format(GoDuration.parse(text))).isEqualTo(text);
        }
    }

    @Test
    void rejectsWhatTheSchemaRejects() {
        for (String bad : new String[] {"", "5", "m", "-5m", "5 m", "5d", "PT5M"}) {
            assertThatThrownBy(() -> GoDuration.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
