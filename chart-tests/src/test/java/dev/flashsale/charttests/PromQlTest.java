package dev.flashsale.charttests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.charttests.PromQl.Matcher;
import dev.flashsale.charttests.PromQl.Selector;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromQlTest {

    @Test
    void findsMetricsInsideFunctionsAndAggregations() {
        String expr = "histogram_quantile(0.99, sum by (le, pod) (rate(http_server_requests_seconds_bucket{"
                + "namespace=\"$namespace\", uri=\"/api/v1/sales/{saleId}/purchases\", status=~\"5..\"}[$__rate_interval])))";
        assertThat(PromQl.selectors(expr)).containsExactly(new Selector("http_server_requests_seconds_bucket", List.of(
                new Matcher("namespace", "=", "$namespace"),
                new Matcher("uri", "=", "/api/v1/sales/{saleId}/purchases"),
                new Matcher("status", "=~", "5.."))));
    }

    @Test
    void skipsKeywordsLabelListsNumbersAndDurations() {
        String expr = "max by (sale) (flashsale_outbox_backlog) > 10000\n"
                + "and on () ((sum(increase(flashsale_outbox_relayed_total[5m] offset 1m)) or vector(0)) == 0)\n"
                + "unless ignoring(pod) group_left(sale) up == bool 1e3";
        assertThat(PromQl.selectors(expr)).extracting(Selector::metric)
                .containsExactly("flashsale_outbox_backlog", "flashsale_outbox_relayed_total", "up");
    }

    @Test
    void keepsAggregationClauseAfterTheArgument() {
        assertThat(PromQl.selectors("sum(rate(jvm_gc_pause_seconds_sum[1m])) without (instance, cause)"))
                .extracting(Selector::metric).containsExactly("jvm_gc_pause_seconds_sum");
    }

    @Test
    void readsEscapedAndSingleQuotedValues() {
        assertThat(PromQl.selectors("a{x='it\\'s', y!~\"\\\\d+\"}").get(0).matchers())
                .containsExactly(new Matcher("x", "=", "it's"), new Matcher("y", "!~", "\\d+"));
    }
}
