package dev.flashsale.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashsale.operator.crd.Checkout;
import dev.flashsale.operator.crd.FlashSale;
import dev.flashsale.operator.crd.Scaling;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules the API server enforces by itself (OpenAPI schema and CEL), one test per rule; no operator
 * runs: the field ranges and patterns and "Rules that the API server itself enforces" of
 * docs/contract/flashsale-resource.md.
 */
class CrdValidationIT {

    private static final Instant START = Instant.parse("2030-02-15T10:00:00Z");
    private static final Instant END = Instant.parse("2030-02-15T10:30:00Z");

    private static KubernetesClient client;
    private static String namespace;

    @BeforeAll
    static void cluster() {
        client = TestCluster.client();
        namespace = TestCluster.createNamespace(client, "crd");
    }

    @AfterAll
    static void close() {
        client.close();
    }

    private static FlashSale valid() {
        return TestCluster.sale(namespace, "v-" + UUID.randomUUID().toString().substring(0, 8), 100, START, END);
    }

    private static FlashSale create(FlashSale sale) {
        return client.resource(sale).create();
    }

    private static FlashSale with(Consumer<FlashSale> change) {
        FlashSale sale = valid();
        change.accept(sale);
        return sale;
    }

    private static void assertRejected(ThrowingCallable call, String messagePart) {
        assertThatThrownBy(call)
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
                .hasMessageContaining(messagePart);
    }

    @Test
    void acceptsAValidSaleAndDefaultsTheOptionalFields() {
        FlashSale created = create(valid());
        assertThat(created.getSpec().getPerUserLimit()).isEqualTo(1);
        assertThat(created.getSpec().getPaused()).isFalse();
        assertThat(created.getSpec().getCancelled()).isFalse();
    }

    @Test
    void theExampleIsValid() throws IOException {
        try (InputStream example = Files.newInputStream(Path.of("../examples/widget-drop.yaml"))) {
            FlashSale sale = client.getKubernetesSerialization().unmarshal(example, FlashSale.class);
            sale.getMetadata().setNamespace(namespace);
            assertThat(create(sale).getSpec().getScaling().getReplicas()).isEqualTo(6);
        }
    }

    @Test
    void rejectsEndTimeNotAfterStartTime() {
        assertRejected(() -> create(with(s -> s.getSpec().setEndTime(START.toString()))), "endTime must be after startTime");
        assertRejected(() -> create(with(s -> s.getSpec().setEndTime(START.minusSeconds(1).toString()))),
                "endTime must be after startTime");
    }

    @Test
    void rejectsZeroInitialStock() {
        assertRejected(() -> create(with(s -> s.getSpec().setInitialStock(0L))), "spec.initialStock");
    }

    @Test
    void rejectsLowercaseSku() {
        assertRejected(() -> create(with(s -> s.getSpec().setSku("widget-001"))), "spec.sku");
    }

    @Test
    void rejectsBlankSku() {
        assertRejected(() -> create(with(s -> s.getSpec().setSku(""))), "spec.sku");
        assertRejected(() -> create(with(s -> s.getSpec().setSku("   "))), "spec.sku");
    }

    @Test
    void rejectsZeroPerUserLimit() {
        assertRejected(() -> create(with(s -> s.getSpec().setPerUserLimit(0))), "spec.perUserLimit");
    }

    @Test
    void rejectsANameThatIsNotADnsLabel() {
        assertRejected(() -> create(with(s -> s.getMetadata().setName("widget.drop"))), "metadata.name is the sale id");
    }

    @Test
    void rejectsAChangedSku() {
        FlashSale created = create(valid());
        created.getSpec().setSku("OTHER-SKU");
        assertRejected(() -> client.resource(created).update(), "sku is immutable");
    }

    @Test
    void rejectsALeadTimeAboveADayOrOneThatWouldOverflow() {
        for (String lead : List.of("25h", "99999999999h", "1" + "0".repeat(40) + "s")) {
            assertRejected(() -> create(with(s -> {
                Scaling scaling = new Scaling();
                scaling.setReplicas(2);
                scaling.setLeadTime(lead);
                s.getSpec().setScaling(scaling);
            })), "spec.scaling.leadTime");
        }
        Scaling day = new Scaling();
        day.setReplicas(2);
        day.setLeadTime("23h59m");
        create(with(s -> s.getSpec().setScaling(day)));
    }

    @Test
    void checkoutHoldsForOneMinuteToOneDay() {
        for (String holdFor : List.of("30s", "59s", "25h", "24h1s")) {
            assertRejected(() -> create(with(s -> s.getSpec().setCheckout(checkout(holdFor)))),
                    "holdFor must be between 1m and 24h");
        }
        for (String holdFor : List.of("10 m", "10", "PT10M", "1" + "0".repeat(40) + "s")) {
            assertRejected(() -> create(with(s -> s.getSpec().setCheckout(checkout(holdFor)))), "spec.checkout.holdFor");
        }
        assertRejected(() -> create(with(s -> s.getSpec().setCheckout(new Checkout()))), "spec.checkout.holdFor");
        for (String holdFor : List.of("1m", "10m", "1h30m", "24h")) {
            assertThat(create(with(s -> s.getSpec().setCheckout(checkout(holdFor)))).getSpec().getCheckout().getHoldFor())
                    .isEqualTo(holdFor);
        }
        assertThat(create(valid()).getSpec().getCheckout()).as("optional, no default").isNull();
    }

    private static Checkout checkout(String holdFor) {
        Checkout checkout = new Checkout();
        checkout.setHoldFor(holdFor);
        return checkout;
    }

    @Test
    void rejectsUncancellingASale() {
        FlashSale sale = valid();
        sale.getSpec().setCancelled(true);
        FlashSale created = create(sale);
        created.getSpec().setCancelled(false);
        assertRejected(() -> client.resource(created).update(), "a cancelled sale cannot be resumed");
    }
}
