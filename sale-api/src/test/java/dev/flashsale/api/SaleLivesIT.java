package dev.flashsale.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flashsale.core.DeleteResult;
import dev.flashsale.core.SaleKeys;
import dev.flashsale.core.SaleSpec;
import dev.flashsale.core.UpsertResult;
import dev.flashsale.testing.TestRedis;
import io.lettuce.core.RestoreArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A confirmed purchase is never lost to a second life of a sale name nor to a Redis that comes
 * back from an older state: purchase ids never repeat, PostgreSQL holds every purchase of every
 * life, and {@code persisted} never counts a purchase that PostgreSQL does not hold (docs/contract/api.md:
 * "purchaseId is unique forever").
 */
class SaleLivesIT extends ApiTestSupport {

    private static final Duration PERSISTED_WITHIN = Duration.ofSeconds(30);

    private static TestRedis redisFixture;

    @Autowired
    DatabaseClient db;
    @Autowired
    JsonMapper json;
    @Autowired
    MeterRegistry registry;

    @BeforeAll
    static void connect() {
        redisFixture = new TestRedis();
    }

    @AfterAll
    static void close() {
        redisFixture.close();
    }

    private static RedisCommands<String, String> redis() {
        return redisFixture.connection().sync();
    }

    @Test
    void aSaleDeclaredAgainUnderItsNameKeepsEveryPurchaseOfEveryLife() throws Exception {
        SaleSpec sale = activeSale("again", 10, 1);
        List<String> ids = new ArrayList<>(buyAll(sale.id(), "alice", "bob", "carol"));
        awaitPersisted(sale.id(), 3);
        assertThat(store.delete(sale.id(), false).block().outcome()).isEqualTo(DeleteResult.Outcome.DELETED);

        assertThat(store.upsert(sale).block().outcome()).isEqualTo(UpsertResult.Outcome.CREATED);
        // the same shoppers again: a new life owes them nothing of the last one
        ids.addAll(buyAll(sale.id(), "alice", "bob", "carol"));
        awaitPersisted(sale.id(), 3);

        assertThat(ids).doesNotHaveDuplicates().hasSize(6);
        assertThat(rowsOf(sale.id())).containsOnlyKeys(ids);
        for (String user : List.of("alice", "bob", "carol")) {
            http.get().uri("/api/v1/sales/{id}/purchases/me", sale.id()).header("X-User-Id", user).exchange()
                    .expectStatus().isOk().expectBody().jsonPath("$.data.persisted").isEqualTo(true);
        }
    }

    @Test
    void aRedisBackFromAnOlderStateNeverReusesAnIdNorCountsAnUnstoredPurchase() throws Exception {
        SaleSpec sale = activeSale("restore", 100, 1);
        List<String> ids = new ArrayList<>(buyAll(sale.id(), "p1-a", "p1-b", "p1-c"));
        awaitPersisted(sale.id(), 3);
        Map<String, byte[]> snapshot = dump(sale.id());

        ids.addAll(buyAll(sale.id(), "p2-a", "p2-b", "p2-c"));
        awaitPersisted(sale.id(), 6);
        // what a restore from an older backup, or an AOF that lost its last second, does to the sale
        restore(snapshot);
        assertThat(view(sale.id()).sold()).isEqualTo(3);

        ids.addAll(buyAll(sale.id(), "p3-a", "p3-b", "p3-c"));
        assertThat(ids).doesNotHaveDuplicates().hasSize(9);
        await("all 9 purchases in PostgreSQL").atMost(PERSISTED_WITHIN).until(() -> rowsOf(sale.id()).size() == 9);
        assertThat(rowsOf(sale.id())).containsOnlyKeys(ids);
        // Redis counts the 3 it remembers plus the 3 sold since, each of them really stored
        awaitPersisted(sale.id(), 6);
        assertPersistedOnlyWhatIsStored(sale.id());
    }

    @Test
    void aPurchaseWhoseIdPostgresHoldsForAnotherIsDeadLetteredNotCounted() throws Exception {
        SaleSpec sale = activeSale("conflict", 10, 1);
        String id = sale.id() + "-00000000001";
        // the row of a purchase that Redis lost, under the id that Redis (its clock set back) hands out again
        db.sql("INSERT INTO purchases (sale_id, purchase_id, user_id, qty, purchased_at) VALUES ($1, $2, 'ghost', 1, now())")
                .bind(0, sale.id()).bind(1, id).then().block();
        SaleKeys keys = SaleKeys.of(sale.id());
        RedisCommands<String, String> redis = redis();
        redis.hset(keys.purchases(), id, "1|" + System.currentTimeMillis() + "|alice");
        double conflictsBefore = registry.get("flashsale.persistence.conflicts").counter().count();

        try (KafkaConsumer<String, String> dlt = deadLetterConsumer()) {
            store.redrive(sale.id(), List.of(id)).block();
            ConsumerRecord<String, String> letter = awaitDeadLetter(dlt, sale.id());
            assertThat(json.readTree(letter.value()).get("userId").asString()).isEqualTo("alice");
            assertThat(header(letter, "flashsale-reason")).isEqualTo("purchase-id-conflict");
            JsonNode existing = json.readTree(header(letter, "flashsale-existing"));
            assertThat(existing.get("userId").asString()).isEqualTo("ghost");
        }
        assertThat(registry.get("flashsale.persistence.conflicts").counter().count()).isEqualTo(conflictsBefore + 1);
        assertThat(redis.sismember(keys.persisted(), id)).isFalse();
        assertThat(view(sale.id()).persisted()).isZero();
        assertThat(rowsOf(sale.id())).containsEntry(id, "ghost");
    }

    @Test
    void whatAPodKeepsOfASaleLeavesWithIt() throws Exception {
        SaleSpec sale = activeSale("gone", 10, 1);
        buyAll(sale.id(), "dora");
        awaitPersisted(sale.id(), 1);
        await("the relay's backlog gauge of " + sale.id()).atMost(PERSISTED_WITHIN).until(() -> registry.find("flashsale.outbox.backlog").tag("sale", sale.id()).gauge() != null);
        assertThat(store.delete(sale.id(), false).block().outcome()).isEqualTo(DeleteResult.Outcome.DELETED);
        assertThat(store.saleIds().collectList().block()).doesNotContain(sale.id());
        await("the backlog gauge of the deleted sale removed").atMost(PERSISTED_WITHIN).until(() -> registry.find("flashsale.outbox.backlog").tag("sale", sale.id()).gauge() == null);
    }

    // ---- helpers ----

    private List<String> buyAll(String saleId, String... users) {
        List<String> ids = new ArrayList<>();
        for (String user : users) {
            byte[] body = buy(saleId, user).expectStatus().isCreated().expectBody().returnResult().getResponseBody();
            ids.add(json.readTree(body).get("data").get("purchaseId").asString());
        }
        return ids;
    }

    private void awaitPersisted(String saleId, long units) throws InterruptedException {
        await(units + " units of " + saleId + " persisted").atMost(PERSISTED_WITHIN).until(() -> view(saleId).persisted() == units);
    }

    /** purchase id → user id of the sale's rows in PostgreSQL. */
    private Map<String, String> rowsOf(String saleId) {
        return db.sql("SELECT purchase_id, user_id FROM purchases WHERE sale_id = $1").bind(0, saleId)
                .map(row -> Map.entry(row.get(0, String.class), row.get(1, String.class))).all()
                .collectMap(Map.Entry::getKey, Map.Entry::getValue).block();
    }

    private void assertPersistedOnlyWhatIsStored(String saleId) {
        SaleKeys keys = SaleKeys.of(saleId);
        Set<String> persisted = redis().smembers(keys.persisted());
        Map<String, String> rows = rowsOf(saleId);
        Map<String, String> purchases = redis().hgetall(keys.purchases());
        assertThat(persisted).isNotEmpty().allSatisfy(id -> {
            assertThat(rows).containsKey(id);
            assertThat(purchases.get(id)).endsWith("|" + rows.get(id));
        });
    }

    private Map<String, byte[]> dump(String saleId) {
        Map<String, byte[]> dumps = new HashMap<>();
        for (String key : SaleKeys.of(saleId).all()) {
            byte[] value = redis().dump(key);
            if (value != null) {
                dumps.put(key, value);
            }
        }
        return dumps;
    }

    private void restore(Map<String, byte[]> dumps) {
        dumps.forEach((key, value) -> redis().restore(key, value, RestoreArgs.Builder.ttl(0).replace()));
    }

    private static KafkaConsumer<String, String> deadLetterConsumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, System.getenv("FLASHSALE_KAFKA_BOOTSTRAP"));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p);
        List<TopicPartition> partitions = consumer.partitionsFor("flashsale.purchases.DLT").stream()
                .map(info -> new TopicPartition(info.topic(), info.partition())).collect(Collectors.toList());
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        return consumer;
    }

    private static ConsumerRecord<String, String> awaitDeadLetter(KafkaConsumer<String, String> consumer, String saleId) {
        AtomicReference<ConsumerRecord<String, String>> letter = new AtomicReference<>();
        await("a dead letter for " + saleId).atMost(PERSISTED_WITHIN).pollInSameThread().until(() -> {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                if (saleId.equals(r.key())) {
                    letter.set(r);
                }
            }
            return letter.get() != null;
        });
        return letter.get();
    }

    private static String header(ConsumerRecord<String, String> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
