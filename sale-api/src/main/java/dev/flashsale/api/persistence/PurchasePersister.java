package dev.flashsale.api.persistence;

import dev.flashsale.api.config.FlashsaleProperties;
import dev.flashsale.api.outbox.PurchaseMessage;
import dev.flashsale.core.Purchase;
import dev.flashsale.core.SaleStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Kafka → PostgreSQL. Each batch is inserted in one idempotent statement; the listener returns
 * (and the container commits the offsets) only after the database commit, and a failure makes the
 * whole batch come again after a back-off (see KafkaConfiguration). Messages that can never be a
 * purchase go to the dead-letter topic instead of blocking the partition, and so do purchases whose
 * id PostgreSQL holds for another purchase. What is really stored is then counted in Redis, where
 * the operator reads {@code persisted}.
 */
@Component
public class PurchasePersister {

    private static final Logger log = LoggerFactory.getLogger(PurchasePersister.class);
    private static final Duration DB_TIMEOUT = Duration.ofSeconds(30);
    /** Dead-letter headers: why a message is there and, for a conflict, the row it met. */
    static final String REASON_HEADER = "flashsale-reason";
    static final String CONFLICT_REASON = "purchase-id-conflict";
    static final String EXISTING_HEADER = "flashsale-existing";

    private final PurchaseRepository repository;
    private final SaleStore store;
    private final KafkaTemplate<String, String> kafka;
    private final JsonMapper json;
    private final String deadLetterTopic;
    private final Timer lag;
    private final Counter persisted;
    private final Counter deadLettered;
    private final Counter conflicts;

    public PurchasePersister(PurchaseRepository repository, SaleStore store, KafkaTemplate<String, String> kafka,
                             JsonMapper json, FlashsaleProperties props, MeterRegistry registry) {
        this.repository = repository;
        this.store = store;
        this.kafka = kafka;
        this.json = json;
        this.deadLetterTopic = props.topics().deadLetter();
        this.lag = Timer.builder("flashsale.persistence.lag")
                .description("From the purchase decision in Redis to its commit in PostgreSQL")
                .publishPercentileHistogram().register(registry);
        this.persisted = Counter.builder("flashsale.persisted.purchases")
                .description("Purchases newly inserted into PostgreSQL").register(registry);
        this.deadLettered = Counter.builder("flashsale.dead.lettered")
                .description("Kafka messages that could not be read as purchases").register(registry);
        this.conflicts = Counter.builder("flashsale.persistence.conflicts")
                .description("Purchases not stored because PostgreSQL holds another purchase under their id").register(registry);
    }

    @KafkaListener(id = "purchase-persister", topics = "${flashsale.topics.purchases}", batch = "true")
    public void persist(List<ConsumerRecord<String, String>> records) throws Exception {
        Map<String, Purchase> batch = new LinkedHashMap<>();
        // checkout: the transitions of the batch, and the purchases that have them (inserted HELD)
        List<PurchaseRepository.Transition> transitions = new ArrayList<>();
        for (ConsumerRecord<String, String> record : records) {
            PurchaseRepository.Transition t = parse(record);
            if (t != null) {
                batch.putIfAbsent(PurchaseRepository.key(t.purchase()), t.purchase());
                if (t.event() != null) {
                    transitions.add(t);
                }
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        Set<String> held = transitions.stream()
                .map(t -> PurchaseRepository.key(t.purchase()))
                .collect(Collectors.toSet());
        PurchaseRepository.StoreResult result;
        try {
            result = repository.store(batch.values(), held).block(DB_TIMEOUT);
            // a transition of a purchase whose id PostgreSQL holds for another one is not stored either
            Set<String> conflicting = result.conflicts().stream()
                    .map(c -> PurchaseRepository.key(c.purchase()))
                    .collect(Collectors.toSet());
            transitions.removeIf(t -> conflicting.contains(PurchaseRepository.key(t.purchase())));
            repository.recordLedger(transitions).block(DB_TIMEOUT);
            repository.applyStatuses(transitions).block(DB_TIMEOUT);
        } catch (RuntimeException e) {
            log.warn("persisting {} purchases failed, the batch will come again: {}", batch.size(), e.toString());
            throw e;
        }
        persisted.increment(result.inserted());
        for (PurchaseRepository.Conflict conflict : result.conflicts()) {
            deadLetterConflict(conflict);
        }
        Instant now = Instant.now();
        for (Purchase p : result.stored()) {
            lag.record(Math.max(0, now.toEpochMilli() - p.purchasedAt().toEpochMilli()), TimeUnit.MILLISECONDS);
        }
        // only what is really stored counts as persisted: a purchase without checkout, or the status
        // a transition gave a checkout purchase (mark_persisted counts it if it is still the current one)
        Set<String> stored = result.stored().stream().map(PurchaseRepository::key)
                .collect(Collectors.toSet());
        List<SaleStore.Persisted> persistedNow = new ArrayList<>();
        for (Purchase p : result.stored()) {
            if (!held.contains(PurchaseRepository.key(p))) {
                persistedNow.add(new SaleStore.Persisted(p, null));
            }
        }
        for (PurchaseRepository.Transition t : transitions) {
            if (t.event().kind().status() != null
                    && stored.contains(PurchaseRepository.key(t.purchase()))) {
                persistedNow.add(new SaleStore.Persisted(t.purchase(), t.event().kind()));
            }
        }
        Map<String, List<SaleStore.Persisted>> bySale = persistedNow.stream().collect(Collectors.groupingBy(
                p -> p.purchase().saleId(), LinkedHashMap::new, Collectors.toCollection(ArrayList::new)));
        for (Map.Entry<String, List<SaleStore.Persisted>> sale : bySale.entrySet()) {
            store.markPersisted(sale.getKey(), sale.getValue()).block(DB_TIMEOUT);
        }
    }

    /**
     * Another purchase already holds this id in PostgreSQL: a confirmed purchase that is not stored.
     * Never counted as persisted; it goes to the dead-letter topic with the row it met, for the
     * runbook (docs/operations.md, FlashsalePurchaseIdConflict).
     */
    private void deadLetterConflict(PurchaseRepository.Conflict conflict) throws Exception {
        Purchase p = conflict.purchase();
        log.error("purchase {} of sale {} (user {}, qty {}, at {}) is NOT stored: PostgreSQL holds another purchase"
                        + " under its id (user {}, qty {}, at {}); sent to {}", p.purchaseId(), p.saleId(), p.userId(), p.qty(),
                p.purchasedAt(), conflict.existing().userId(), conflict.existing().qty(), conflict.existing().purchasedAt(),
                deadLetterTopic);
        ProducerRecord<String, String> record = new ProducerRecord<>(deadLetterTopic, p.saleId(),
                json.writeValueAsString(PurchaseMessage.of(p)));
        record.headers().add(REASON_HEADER, CONFLICT_REASON.getBytes(StandardCharsets.UTF_8));
        record.headers().add(EXISTING_HEADER, json.writeValueAsBytes(PurchaseMessage.of(conflict.existing())));
        kafka.send(record).get(30, TimeUnit.SECONDS);
        conflicts.increment();
    }

    /** A purchase with its ledger event (null without checkout), or null after dead-lettering a message that cannot be one. */
    private PurchaseRepository.Transition parse(ConsumerRecord<String, String> record) throws Exception {
        try {
            PurchaseMessage m = json.readValue(record.value(), PurchaseMessage.class);
            return new PurchaseRepository.Transition(m.toPurchase(), m.toLedgerEvent());
        } catch (RuntimeException e) {
            log.warn("dead-lettering {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.toString());
            kafka.send(deadLetterTopic, record.key(), record.value()).get(30, TimeUnit.SECONDS);
            deadLettered.increment();
            return null;
        }
    }
}
