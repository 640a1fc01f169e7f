package dev.flashsale.charttests;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.LintResult;
import org.junit.jupiter.api.Test;

/** helm lint --strict: warnings fail too; only INFO messages (e.g. "icon is recommended") may remain. */
class ChartLintTest {

    @Test
    void cleanWithDefaultValues() {
        assertClean(Chart.defaults().lint());
    }

    @Test
    void cleanWithProductionValues() {
        assertClean(Chart.production().lint());
    }

    private static void assertClean(LintResult result) {
        assertThat(result.isFailed()).as("lint failed: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).allMatch(m -> m.startsWith("[INFO]"), "only INFO messages");
    }
}
