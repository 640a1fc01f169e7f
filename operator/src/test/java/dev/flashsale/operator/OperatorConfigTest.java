package dev.flashsale.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashsale.operator.OperatorConfig.DeploymentRef;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OperatorConfigTest {

    @Test
    void defaultsNeedOnlyRedis() {
        OperatorConfig config = OperatorConfig.fromEnv(Map.of("FLASHSALE_REDIS_URL", "redis://127.0.0.1:6379"));
        assertThat(config.watchNamespaces()).isEmpty();
        assertThat(config.saleApi()).isEmpty();
        assertThat(config.leaderElection()).isTrue();
        assertThat(config.leaseName()).isEqualTo("flashsale-operator");
        assertThat(config.leaseNamespace()).isEmpty();
        assertThat(config.exitOnLostLeadership()).isTrue();
        assertThat(config.statusInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.httpPort()).isEqualTo(8081);
        assertThat(config.identity()).isNotBlank();
    }

    @Test
    void readsEveryVariable() {
        OperatorConfig config = OperatorConfig.fromEnv(Map.of(
                "FLASHSALE_REDIS_URL", "redis://redis:6379",
                "FLASHSALE_WATCH_NAMESPACES", "shop, outlet ,",
                "FLASHSALE_SALE_API_DEPLOYMENT", "shop/sale-api",
                "FLASHSALE_LEADER_ELECTION", "false",
                "POD_NAME", "operator-0",
                "POD_NAMESPACE", "flashsale",
                "FLASHSALE_STATUS_INTERVAL", "1s",
                "FLASHSALE_RESYNC_INTERVAL", "5m",
                "FLASHSALE_OPERATOR_PORT", "9090"));
        assertThat(config.watchNamespaces()).isEqualTo(Set.of("shop", "outlet"));
        assertThat(config.saleApi()).contains(new DeploymentRef("shop", "sale-api"));
        assertThat(config.leaderElection()).isFalse();
        assertThat(config.identity()).isEqualTo("operator-0");
        assertThat(config.leaseNamespace()).isEqualTo(Optional.of("flashsale"));
        assertThat(config.statusInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.resync()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.httpPort()).isEqualTo(9090);
    }

    @Test
    void rejectsMissingRedisAndAMalformedDeployment() {
        assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of())).hasMessageContaining("FLASHSALE_REDIS_URL");
        assertThatThrownBy(() -> OperatorConfig.fromEnv(Map.of("FLASHSALE_REDIS_URL", "redis://r",
                "FLASHSALE_SALE_API_DEPLOYMENT", "sale-api"))).hasMessageContaining("namespace/name");
    }
}
