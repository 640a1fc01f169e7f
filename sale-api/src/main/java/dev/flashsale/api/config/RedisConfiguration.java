package dev.flashsale.api.config;

import dev.flashsale.core.SaleStore;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/**
 * Lettuce, used directly: sale-core's scripts need nothing of Spring Data. One multiplexed
 * connection carries every command of the pod; one more carries the pod's single subscription.
 */
@Configuration(proxyBeanMethods = false)
public class RedisConfiguration {

    @Bean(destroyMethod = "shutdown")
    RedisClient redisClient(FlashsaleProperties props) {
        RedisClient client = RedisClient.create(props.redis().url());
        client.setOptions(ClientOptions.builder()
                // fail fast while Redis is away (503) instead of queueing purchases in memory
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(props.redis().commandTimeout()))
                .build());
        return client;
    }

    /** Primary: the pub/sub connection is a StatefulRedisConnection too, but only for subscribing. */
    @Bean(destroyMethod = "close")
    @Primary
    StatefulRedisConnection<String, String> redisConnection(RedisClient client) {
        return client.connect();
    }

    @Bean(destroyMethod = "close")
    StatefulRedisPubSubConnection<String, String> redisPubSubConnection(RedisClient client) {
        return client.connectPubSub();
    }

    @Bean
    SaleStore saleStore(StatefulRedisConnection<String, String> connection) {
        return new SaleStore(connection.reactive());
    }
}
