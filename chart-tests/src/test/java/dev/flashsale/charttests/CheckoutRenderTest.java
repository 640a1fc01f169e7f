package dev.flashsale.charttests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.charttests.Chart.Container;
import dev.flashsale.testing.Repo;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * saleApi.checkout as sale-api's environment (the names application.yml reads): the payment
 * webhook's secret only ever from a Secret, the payment page as a plain value.
 */
class CheckoutRenderTest {

    private static final String SALE_API = "flashsale-sale-api";
    private static final String SECRET = "FLASHSALE_CHECKOUT_WEBHOOK_SECRET";
    private static final String PAYMENT_URL = "FLASHSALE_CHECKOUT_PAYMENT_URL";

    @Test
    void applicationYmlReadsTheseNames() {
        assertThat(Repo.read("sale-api/src/main/resources/application.yml"))
                .contains("${" + SECRET + ":}", "${" + PAYMENT_URL + ":}");
    }

    @Test
    void noCheckoutByDefault() {
        assertThat(saleApi(Chart.defaults()).env().stream().map(e -> e.get("name"))).doesNotContain(SECRET, PAYMENT_URL);
    }

    @Test
    void theWebhookSecretComesFromASecret() {
        Container api = saleApi(Chart.defaults().set("saleApi.checkout.webhookSecret.existingSecret", "payments")
                .set("saleApi.checkout.webhookSecret.key", "hmac"));
        assertThat(api.envVar(SECRET)).doesNotContainKey("value");
        assertThat(Yaml.<Map<String, Object>>at(api.envVar(SECRET), "valueFrom.secretKeyRef"))
                .isEqualTo(Map.of("name", "payments", "key", "hmac"));
        // as the kubelet gives it to sale-api
        assertThat(PodEnv.resolve(api.env(), Map.of("payments/hmac", "whsec-123", "flashsale-postgresql/password", "pg"), Map.of()))
                .containsEntry(SECRET, "whsec-123").doesNotContainKey(PAYMENT_URL);
    }

    /** Without the secret the chart refuses a payment page (ValuesSchemaTest). */
    @Test
    void thePaymentPageIsAPlainValue() {
        Container api = saleApi(Chart.defaults().set("saleApi.checkout.paymentUrl", "https://pay.example.com/checkout")
                .set("saleApi.checkout.webhookSecret.existingSecret", "payments"));
        assertThat(api.envVar(PAYMENT_URL)).containsEntry("value", "https://pay.example.com/checkout");
        assertThat(Yaml.<String>at(api.envVar(SECRET), "valueFrom.secretKeyRef.key")).as("the default key").isEqualTo("webhook-secret");
    }

    @Test
    void productionValuesConfigureCheckout() {
        Container api = saleApi(Chart.production());
        assertThat(Yaml.<Map<String, Object>>at(api.envVar(SECRET), "valueFrom.secretKeyRef"))
                .isEqualTo(Map.of("name", "flashsale-payments", "key", "webhook-secret"));
        assertThat(api.envVar(PAYMENT_URL)).containsEntry("value", "https://pay.example.com/checkout");
    }

    private static Container saleApi(Chart chart) {
        return chart.manifests().containers().stream().filter(c -> c.workload().equals(SALE_API)).findFirst().orElseThrow();
    }
}
