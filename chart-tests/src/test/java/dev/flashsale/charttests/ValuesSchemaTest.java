package dev.flashsale.charttests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * values.schema.json makes a bad values file fail at install (helm validates before rendering),
 * and the chart's own checks refuse combinations that a schema cannot express.
 */
class ValuesSchemaTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "negative-replicas.yaml,           replicaCount",
            "wrong-type.yaml,                  leaderElection",
            "unknown-key.yaml,                 replicas",
            "plaintext-database-password.yaml, password",
            "plaintext-password-in-env.yaml,   extraEnv",
            "unknown-ssl-mode.yaml,            sslMode",
            "missing-cpu-request.yaml,         cpu",
            "bad-duration.yaml,                statusInterval",
            "no-runbook-url.yaml,              runbookBaseUrl",
            "bad-redis-port.yaml,              port",
            "bad-trusted-proxy.yaml,           trustedProxies",
            "unknown-auth-mode.yaml,           mode",
            "issuer-not-a-url.yaml,            issuerUri",
            "bad-gateway.yaml,                 gateways",
            "payment-url-not-a-url.yaml,       paymentUrl",
    })
    void badValuesFileIsRejectedBySchema(String file, String offending) {
        Chart chart = Chart.defaults().values(ChartFiles.resource("bad-values/" + file));
        assertThatThrownBy(chart::render)
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(offending);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "operator.replicaCount=2, operator.leaderElection=false      | needs operator.leaderElection=true",
            "kafka.sasl.mechanism=PLAIN                                  | kafka.sasl.existingSecret",
            "saleApi.ingress.enabled=true                                | needs saleApi.trustedProxies",
            "saleApi.ingress.enabled=true, saleApi.trustedProxies[0]=10.0.0.0/8, saleApi.ingress.tls.enabled=true | tls.secretName",
            "saleApi.autoscaling.minReplicas=5, saleApi.autoscaling.maxReplicas=3, saleApi.autoscaling.enabled=true | maxReplicas",
            "saleApi.auth.mode=none                                      | set saleApi.auth.allowUnauthenticatedShoppers=true",
            "saleApi.auth.mode=trusted-header                            | gateways",
            "networkPolicy.egress.enabled=true                           | needs networkPolicy.enabled",
            "saleApi.checkout.paymentUrl=https://pay.example.com/checkout | needs saleApi.checkout.webhookSecret.existingSecret",
    })
    void contradictoryValuesAreRefused(String sets, String message) {
        Chart chart = Chart.defaults();
        for (String set : sets.split(",")) {
            String[] kv = set.strip().split("=", 2);
            chart.set(kv[0], kv[1]);
        }
        assertThatThrownBy(chart::render).hasMessageContaining(message);
    }

    /** oidc is the default mode and has no default issuer: an install must name one. */
    @Test
    void valuesYamlAloneLacksAnIssuer() {
        assertThatThrownBy(Chart.bare()::render)
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining("issuerUri");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"default", "production"})
    void shippedValuesPass(String which) {
        Chart chart = which.equals("default") ? Chart.defaults() : Chart.production();
        assertThat(chart.manifests().docs()).isNotEmpty();
    }
}
