package dev.flashsale.api.persistence;

import dev.flashsale.api.config.FlashsaleProperties;
import dev.flashsale.core.SaleStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Reconciliation on a Redis connection of its own: its pages never share a pipe with the purchase
 * path's commands (the primary connection), whatever a check reads. Closed on shutdown.
 */
@Configuration(proxyBeanMethods = false)
class ReconciliationConfiguration {

    static final String QUALIFIER = "reconciliation";

    @Bean(destroyMethod = "close")
    @Qualifier(QUALIFIER)
    StatefulRedisConnection<String, String> reconciliationRedisConnection(RedisClient client) {
        return client.connect();
    }

    @Bean
    PurchaseReconciler reconciler(@Qualifier(QUALIFIER) StatefulRedisConnection<String, String> connection,
                          PurchaseRepository repository, FlashsaleProperties props, MeterRegistry registry) {
        return new PurchaseReconciler(new SaleStore(connection.reactive()), repository, props, registry, holder());
    }

    /** The pod's name (HOSTNAME in Kubernetes) and a random suffix: unique per instance. */
    private static String holder() {
        String host = System.getenv("HOSTNAME");
        return (host == null || host.isBlank() ? "sale-api" : host) + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
