package dev.flashsale.operator;

import dev.flashsale.core.SaleEvent;
import dev.flashsale.core.SaleKeys;
import dev.flashsale.operator.crd.FlashSale;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.health.Status;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns sale-core's Redis events (stock, state, persisted; channel {@link SaleKeys#EVENTS_CHANNEL}) into
 * reconciliations of the FlashSale named after the sale. One subscription for all sales. Events of one
 * sale are coalesced: the first one schedules a reconciliation {@code window} later and the ones that
 * arrive meanwhile ride along, so a burst of purchases costs a few status updates per second, not one
 * per purchase. JOSDK itself never runs two reconciliations of one resource at once and merges events
 * that arrive while one runs.
 */
final class SaleEventSource extends AbstractEventSource<Void, FlashSale> {

    private static final Logger log = LoggerFactory.getLogger(SaleEventSource.class);

    private final RedisClient redis;
    private final IndexedResourceCache<FlashSale> sales;
    private final RedisURI uri;
    private final Duration window;
    private final Counter received;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private ScheduledExecutorService timer;
    private StatefulRedisPubSubConnection<String, String> connection;

    /** @param uri the Redis to subscribe to, with the client name the subscription shows in CLIENT LIST */
    SaleEventSource(RedisClient redis, RedisURI uri, IndexedResourceCache<FlashSale> sales, Duration window,
                    MeterRegistry registry) {
        super(Void.class, "redis-sale-events");
        this.redis = redis;
        this.uri = uri;
        this.sales = sales;
        this.window = window;
        this.received = Counter.builder("flashsale.operator.redis.events")
                .description("sale events received from Redis pub/sub").register(registry);
    }

    @Override
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sale-events-coalescer");
            t.setDaemon(true);
            return t;
        });
        connection = redis.connectPubSub(uri);
        connection.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                onMessage(message);
            }
        });
        // Messages published while the connection was down are lost: look at every sale again once
        // Lettuce has reconnected (and resubscribed).
        connection.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> channel, SocketAddress address) {
                log.info("Redis pub/sub reconnected to {}: reconciling every sale", address);
                // after the window, by when Lettuce has resubscribed
                timer.schedule(() -> sales.list().forEach(s -> trigger(ResourceID.fromResource(s))),
                        window.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
        connection.sync().subscribe(SaleKeys.EVENTS_CHANNEL);
        super.start();
    }

    private void onMessage(String message) {
        received.increment();
        SaleEvent event = SaleEvent.parse(message);
        if (event != null && pending.add(event.saleId())) {
            timer.schedule(() -> {
                pending.remove(event.saleId());
                SaleIds.named(sales, event.saleId()).forEach(s -> trigger(ResourceID.fromResource(s)));
            }, window.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void trigger(ResourceID id) {
        if (isRunning()) {
            getEventHandler().handleEvent(new Event(id));
        }
    }

    @Override
    public synchronized void stop() {
        if (!isRunning()) {
            return;
        }
        super.stop();
        timer.shutdownNow();
        connection.close();
    }

    @Override
    public Status getStatus() {
        return connection != null && connection.isOpen() ? Status.HEALTHY : Status.UNHEALTHY;
    }

    @Override
    public Set<Void> getSecondaryResources(FlashSale primary) {
        return Set.of();
    }
}
