package dev.flashsale.api.outbox;

import dev.flashsale.api.config.FlashsaleProperties;
import dev.flashsale.api.events.SaleEventHub;
import dev.flashsale.core.OutboxEntry;
import dev.flashsale.core.SaleEvent;
import dev.flashsale.core.SaleKeys;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import tools.jackson.databind.json.JsonMapper;

/**
 * Moves purchases from each sale's outbox stream to Kafka. Reads with a consumer group, sends with
 * the idempotent producer and acknowledges (XACK, then XDEL to keep the stream short) only after
 * Kafka acknowledged; entries a dead pod left pending are claimed after {@code claimAfter}
 * (XAUTOCLAIM). A crash between Kafka's ack and XACK sends a purchase twice: the consumer's insert
 * is idempotent, so it is still persisted once. Runs on its own thread; never on an event loop.
 * <p>
 * It reads the outboxes of sales that just sold (their stock events wake it) and sweeps every
 * sale's outbox every {@code claimAfter / 2}, which also catches re-driven purchases and events
 * lost in a pub/sub reconnect: an idle pod costs Redis nothing per sale and millisecond.
 */
@Component
public class OutboxRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    private final RedisCommands<String, String> redis;
    private final KafkaTemplate<String, String> kafka;
    private final JsonMapper json;
    private final FlashsaleProperties.Relay config;
    private final String topic;
    private final String consumerName;
    private final MeterRegistry registry;
    /** Per sale that this pod relays: its backlog and the gauge reading it, gone with the sale. */
    private record Backlog(AtomicLong value, Meter gauge) {}

    private final Map<String, Backlog> backlog = new ConcurrentHashMap<>();
    private final Set<String> retryPending = new HashSet<>();
    private final SaleEventHub hub;
    /** Sales whose outbox may hold new entries; taken out before each read, put back by their next event. */
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    private final Semaphore wake = new Semaphore(0);
    private Disposable events;
    private final AtomicLong relayed = new AtomicLong();
    private volatile boolean running;
    private Thread thread;

    public OutboxRelay(StatefulRedisConnection<String, String> connection, KafkaTemplate<String, String> kafka,
                       JsonMapper json, FlashsaleProperties props, MeterRegistry registry, SaleEventHub hub) {
        this.redis = connection.sync();
        this.hub = hub;
        this.kafka = kafka;
        this.json = json;
        this.config = props.relay();
        this.topic = props.topics().purchases();
        this.registry = registry;
        this.consumerName = config.consumerName().isBlank()
                ? ManagementFactory.getRuntimeMXBean().getName() + "-" + UUID.randomUUID().toString().substring(0, 8)
                : config.consumerName();
        registry.more().counter("flashsale.outbox.relayed", Tags.empty(), relayed, AtomicLong::get);
    }

    @Override
    public void start() {
        if (!config.enabled()) {
            return;
        }
        running = true;
        events = hub.all().filter(e -> e.kind() == SaleEvent.Kind.STOCK).subscribe(e -> {
            if (dirty.add(e.saleId())) {
                wake.release();
            }
        });
        thread = new Thread(this::loop, "outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void stop() {
        running = false;
        if (events != null) {
            events.dispose();
        }
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void loop() {
        long nextSweep = 0;
        while (running) {
            try {
                boolean sweep = System.nanoTime() >= nextSweep;
                Collection<String> sales;
                if (sweep) {
                    nextSweep = System.nanoTime() + config.claimAfter().toNanos() / 2;
                    sales = redis.smembers(SaleKeys.REGISTRY);
                    forgetAllBut(sales);
                } else {
                    sales = new LinkedHashSet<>(dirty);
                    sales.addAll(retryPending);
                }
                int moved = 0;
                for (String saleId : sales) {
                    dirty.remove(saleId);
                    int n = relay(saleId, sweep);
                    if (n >= config.batchSize()) {
                        dirty.add(saleId); // more waiting behind this batch
                    }
                    moved += n;
                }
                updateBacklog(sales);
                if (moved == 0) {
                    wake.drainPermits();
                    long untilSweep = nextSweep - System.nanoTime();
                    if (dirty.isEmpty() && untilSweep > 0) {
                        wake.tryAcquire(untilSweep, TimeUnit.NANOSECONDS);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                if (!running) {
                    return; // stop() interrupted a Redis or Kafka call; what was not acknowledged stays in the outbox
                }
                log.warn("outbox relay pass failed, retrying: {}", e.toString());
                sleepQuietly(Duration.ofSeconds(1));
            }
        }
    }

    private int relay(String saleId, boolean claim) {
        String key = SaleKeys.of(saleId).outbox();
        Consumer<String> me = Consumer.from(SaleKeys.RELAY_GROUP, consumerName);
        List<StreamMessage<String, String>> entries;
        try {
            // after a failed send, this consumer's own pending entries go first
            entries = retryPending.contains(saleId)
                    ? redis.xreadgroup(me, XReadArgs.Builder.count(config.batchSize()), XReadArgs.StreamOffset.from(key, "0"))
                    : redis.xreadgroup(me, XReadArgs.Builder.count(config.batchSize()), XReadArgs.StreamOffset.lastConsumed(key));
            if (entries.isEmpty()) {
                retryPending.remove(saleId);
            }
            if (claim) {
                entries = new ArrayList<>(entries);
                entries.addAll(redis.xautoclaim(key, XAutoClaimArgs.Builder
                        .xautoclaim(me, config.claimAfter(), "0-0").count(config.batchSize())).getMessages());
            }
        } catch (RedisCommandExecutionException e) {
            // no stream or group: the sale was deleted meanwhile
            log.debug("outbox of {} not readable: {}", saleId, e.getMessage());
            return 0;
        }
        if (entries.isEmpty()) {
            return 0;
        }
        try {
            send(saleId, entries);
        } catch (RuntimeException e) {
            retryPending.add(saleId);
            throw e;
        }
        String[] ids = entries.stream().map(StreamMessage::getId).distinct().toArray(String[]::new);
        redis.xack(key, SaleKeys.RELAY_GROUP, ids);
        redis.xdel(key, ids);
        relayed.addAndGet(ids.length);
        return ids.length;
    }

    private void send(String saleId, List<StreamMessage<String, String>> entries) {
        List<CompletableFuture<?>> acks = new ArrayList<>(entries.size());
        for (StreamMessage<String, String> m : entries) {
            OutboxEntry entry = OutboxEntry.of(saleId, m.getId(), m.getBody());
            acks.add(kafka.send(topic, saleId, json.writeValueAsString(PurchaseMessage.of(entry.purchase(), entry.ledger()))));
        }
        try {
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka", e);
        } catch (Exception e) {
            throw new IllegalStateException("Kafka did not acknowledge the outbox batch of " + saleId, e);
        }
    }

    private void updateBacklog(Collection<String> sales) {
        for (String saleId : sales) {
            backlog.computeIfAbsent(saleId, id -> {
                AtomicLong value = new AtomicLong();
                Meter gauge = Gauge.builder("flashsale.outbox.backlog", value, AtomicLong::get).tag("sale", id)
                        .description("Purchases in the sale's outbox not yet acknowledged by Kafka").register(registry);
                return new Backlog(value, gauge);
            }).value().set(redis.xlen(SaleKeys.of(saleId).outbox()));
        }
    }

    /** Drops what this pod keeps of sales that are gone from Redis (deleted, or lost). */
    private void forgetAllBut(Collection<String> sales) {
        Set<String> known = new HashSet<>(sales);
        backlog.keySet().removeIf(saleId -> {
            if (known.contains(saleId)) {
                return false;
            }
            registry.remove(backlog.get(saleId).gauge());
            return true;
        });
        retryPending.retainAll(known);
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
