package dev.flashsale.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flashsale.core.SaleSpec;
import dev.flashsale.core.SaleStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * A pod being replaced (SIGTERM, rolling update) ends its event streams at once, so browsers
 * reconnect to another pod and graceful shutdown is not held up until its timeout by streams that
 * never end on their own.
 */
class ShutdownIT {

    @Test
    void openEventStreamsEndWhenThePodShutsDown() throws Exception {
        ConfigurableApplicationContext app = new SpringApplicationBuilder(SaleApiApplication.class)
                .profiles("test").run("--server.port=0");
        int port = ((WebServerApplicationContext) app).getWebServer().getPort();
        SaleStore store = app.getBean(SaleStore.class);
        Instant now = store.serverTime().block();
        SaleSpec sale = new SaleSpec("shutdown-" + System.nanoTime(), "SKU-SHUTDOWN", "Shutdown", 10, 1,
                now.minusSeconds(60), now.plusSeconds(3600), false, false);
        store.upsert(sale).block();

        List<ServerSentEvent<String>> seen = new CopyOnWriteArrayList<>();
        CountDownLatch ended = new CountDownLatch(1);
        WebClient.create("http://127.0.0.1:" + port).get().uri("/api/v1/sales/{id}/events", sale.id())
                .accept(MediaType.TEXT_EVENT_STREAM).retrieve()
                .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() {})
                .doFinally(s -> ended.countDown())
                .subscribe(seen::add, e -> { });
        await("initial event").atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty());

        long started = System.nanoTime();
        app.close();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(ended.await(1, TimeUnit.SECONDS)).as("the stream ended").isTrue();
        // spring.lifecycle.timeout-per-shutdown-phase is 15 s: a stream holding the shutdown would take that long
        assertThat(took).isLessThan(Duration.ofSeconds(10));
    }
}
