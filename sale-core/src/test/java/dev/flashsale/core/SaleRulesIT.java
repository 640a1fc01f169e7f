package dev.flashsale.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.core.testing.SaleFixture;
import io.lettuce.core.ScriptOutputType;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The state rule of common.lua evaluated at exact instants: start inclusive, end exclusive, end
 * reasons stick, and with checkout no sell-out while holds are open.
 */
class SaleRulesIT {

    private static SaleFixture redis;

    @BeforeAll
    static void connect() {
        redis = new SaleFixture();
    }

    @AfterAll
    static void close() {
        redis.close();
    }

    @ParameterizedTest(name = "now={0} stock={1} held={2} paused={3} cancelled={4} recorded={5} -> {6} {7}")
    @CsvSource({
            // start = 1000, end = 2000
            "999, 5, 0, 0, 0, '',          UPCOMING, ''",
            "1000, 5, 0, 0, 0, '',          ACTIVE,   ''",
            "1999, 5, 0, 0, 0, '',          ACTIVE,   ''",
            "2000, 5, 0, 0, 0, '',          ENDED,    TIME_EXPIRED",
            "1500, 0, 0, 0, 0, '',          ENDED,    SOLD_OUT",
            "1500, 5, 0, 1, 0, '',          PAUSED,   ''",
            "500, 5, 0, 1, 0, '',          PAUSED,   ''",
            "1500, 5, 0, 1, 1, '',          ENDED,    CANCELLED",
            "2500, 0, 0, 0, 1, SOLD_OUT,    ENDED,    SOLD_OUT",
            "1500, 5, 0, 0, 1, TIME_EXPIRED, ENDED,   TIME_EXPIRED",
            // checkout: no stock but open holds is not a sell-out; the end time still ends the sale
            "1500, 0, 2, 0, 0, '',          ACTIVE,   ''",
            "2000, 0, 2, 0, 0, '',          ENDED,    TIME_EXPIRED",
    })
    void stateAt(long now, long stock, long held, int paused, int cancelled, String recorded, String state, String reason) {
        String body = """
                local m = {startTime = 1000, endTime = 2000, stock = tonumber(ARGV[2]), held = tonumber(ARGV[6]),
                           paused = ARGV[3] == '1', cancelled = ARGV[4] == '1', endReason = ARGV[5]}
                local s, r = state_at(m, tonumber(ARGV[1]))
                return {s, r}
                """;
        List<Object> r = redis.connection().sync().eval(Scripts.withPrelude(body), ScriptOutputType.MULTI,
                new String[0], Long.toString(now), Long.toString(stock), Integer.toString(paused),
                Integer.toString(cancelled), recorded, Long.toString(held));
        assertThat(r).containsExactly(state, reason);
    }
}
