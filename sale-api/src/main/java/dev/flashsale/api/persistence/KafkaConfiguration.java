package dev.flashsale.api.persistence;

import dev.flashsale.api.config.FlashsaleProperties;
import java.util.Map;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/** Topics, and the retry policy of the persister: a database outage is waited out, never skipped. */
@Configuration(proxyBeanMethods = false)
public class KafkaConfiguration {

    @Bean
    NewTopic purchasesTopic(FlashsaleProperties props) {
        return TopicBuilder.name(props.topics().purchases()).partitions(props.topics().partitions()).build();
    }

    @Bean
    NewTopic deadLetterTopic(FlashsaleProperties props) {
        return TopicBuilder.name(props.topics().deadLetter()).partitions(1).build();
    }

    @Bean
    CommonErrorHandler persisterErrorHandler() {
        ExponentialBackOff backOff = new ExponentialBackOff(200, 2.0);
        backOff.setMaxInterval(5_000);
        // unbounded: a purchase is never dropped because PostgreSQL was down for a while
        backOff.setMaxElapsedTime(Long.MAX_VALUE);
        return new DefaultErrorHandler(backOff);
    }

    /** For /health: a short-timeout admin client probing the cluster. */
    @Bean(destroyMethod = "close")
    AdminClient healthAdminClient(KafkaAdmin admin) {
        Map<String, Object> config = new java.util.HashMap<>(admin.getConfigurationProperties());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000);
        return AdminClient.create(config);
    }
}
