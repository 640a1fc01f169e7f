package dev.flashsale.api.persistence;

import dev.flashsale.core.Hold;
import dev.flashsale.core.LedgerEvent;
import dev.flashsale.core.Purchase;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The purchases table, the durable record of every purchase with its current status, and the
 * ledger of checkout transitions, purchase_events (R2DBC).
 */
@Repository
public class PurchaseRepository {

    private final DatabaseClient db;

    public PurchaseRepository(DatabaseClient db) {
        this.db = db;
    }

    /**
     * What became of a batch: {@code stored} purchases are in the table, inserted now or found there
     * as the very same purchase (redelivery, re-drive); a {@code conflict} is a row under the same id
     * that is another purchase, which must never be counted as stored.
     */
    public record StoreResult(List<Purchase> stored, List<Conflict> conflicts, long inserted) {}

    /** A purchase whose id is taken in PostgreSQL by {@code existing}, a different purchase. */
    public record Conflict(Purchase purchase, Purchase existing) {}

    /**
     * Inserts a batch in one statement, a purchase already present being skipped; then, only when
     * some were skipped, reads those rows back and tells the same purchase from another one under
     * the same id. The columns go as arrays: a batch of thousands costs six parameters, not six per
     * row (binding row by row copies the bindings each time and parses a statement of 10,000
     * markers). The purchases whose {@link #key} is in {@code held} are checkout purchases, inserted
     * HELD (their later status comes with {@link #applyStatuses}).
     */
    public Mono<StoreResult> store(Collection<Purchase> purchases, Set<String> held) {
        if (purchases.isEmpty()) {
            return Mono.just(new StoreResult(List.of(), List.of(), 0));
        }
        Columns c = new Columns(purchases);
        String[] statuses = purchases.stream()
                .map(p -> held.contains(key(p)) ? "HELD" : "CONFIRMED").toArray(String[]::new);
        return db.sql("INSERT INTO purchases (sale_id, purchase_id, user_id, qty, purchased_at, status)"
                        + " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[], $5::timestamptz[], $6::text[])"
                        + " ON CONFLICT (sale_id, purchase_id) DO NOTHING RETURNING sale_id, purchase_id")
                .bind(0, c.saleIds).bind(1, c.purchaseIds).bind(2, c.userIds).bind(3, c.qtys).bind(4, c.purchasedAt)
                .bind(5, statuses)
                .map(row -> key(row.get(0, String.class), row.get(1, String.class)))
                .all().collect(Collectors.toSet())
                .flatMap(inserted -> {
                    List<Purchase> skipped = purchases.stream()
                            .filter(p -> !inserted.contains(key(p))).toList();
                    List<Purchase> insertedNow = purchases.stream()
                            .filter(p -> inserted.contains(key(p))).toList();
                    return skipped.isEmpty()
                            ? Mono.just(new StoreResult(insertedNow, List.of(), inserted.size()))
                            : existing(skipped).map(rows -> compare(insertedNow, skipped, rows, inserted.size()));
                });
    }

    private static StoreResult compare(List<Purchase> insertedNow, List<Purchase> skipped, Map<String, Purchase> rows,
                                       long inserted) {
        List<Purchase> stored = new ArrayList<>(insertedNow);
        List<Conflict> conflicts = new ArrayList<>();
        for (Purchase p : skipped) {
            Purchase row = rows.get(key(p));
            if (row == null) {
                // skipped by the insert, yet gone now: deleted meanwhile by hand; let the batch come again
                throw new IllegalStateException("purchase " + p.purchaseId() + " was neither inserted nor found");
            }
            if (row.equals(p)) {
                stored.add(p);
            } else {
                conflicts.add(new Conflict(p, row));
            }
        }
        return new StoreResult(stored, conflicts, inserted);
    }

    private Mono<Map<String, Purchase>> existing(List<Purchase> purchases) {
        Columns c = new Columns(purchases);
        return db.sql("SELECT p.sale_id, p.purchase_id, p.user_id, p.qty, p.purchased_at FROM purchases p"
                        + " JOIN unnest($1::text[], $2::text[]) AS k(sale_id, purchase_id)"
                        + " ON p.sale_id = k.sale_id AND p.purchase_id = k.purchase_id")
                .bind(0, c.saleIds).bind(1, c.purchaseIds)
                .map(row -> new Purchase(row.get(1, String.class), row.get(0, String.class), row.get(2, String.class),
                        row.get(3, Integer.class), row.get(4, OffsetDateTime.class).toInstant()))
                .all().collectMap(p -> key(p));
    }

    /** A purchase as a message brings it, with its checkout transition (null for a purchase final at once). */
    public record Transition(Purchase purchase, LedgerEvent event) {}

    /** Appends transitions to the ledger; one delivered again is skipped. */
    public Mono<Long> recordLedger(Collection<Transition> transitions) {
        if (transitions.isEmpty()) {
            return Mono.just(0L);
        }
        TransitionColumns c = new TransitionColumns(transitions);
        return db.sql("INSERT INTO purchase_events (sale_id, purchase_id, event, payment_id, at, expires_at)"
                        + " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[])"
                        + " ON CONFLICT DO NOTHING")
                .bind(0, c.saleIds).bind(1, c.purchaseIds).bind(2, c.events).bind(3, c.paymentIds).bind(4, c.at)
                .bind(5, c.expiresAt)
                .fetch().rowsUpdated();
    }

    /**
     * Sets the current status of purchases from their transitions. HELD is where a checkout purchase
     * starts and every other status is final, so only a HELD row changes: a transition delivered
     * late or again changes nothing, whatever the order.
     */
    public Mono<Long> applyStatuses(Collection<Transition> transitions) {
        List<Transition> finals = transitions.stream()
                .filter(t -> t.event().kind().status() != null && t.event().kind().status() != Hold.Status.HELD).toList();
        if (finals.isEmpty()) {
            return Mono.just(0L);
        }
        TransitionColumns c = new TransitionColumns(finals);
        return db.sql("UPDATE purchases p SET status = u.status, status_at = u.at, expires_at = u.expires_at,"
                        + " payment_id = NULLIF(u.payment_id, '')"
                        + " FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::text[])"
                        + " AS u(sale_id, purchase_id, status, at, expires_at, payment_id)"
                        + " WHERE p.sale_id = u.sale_id AND p.purchase_id = u.purchase_id AND p.status = 'HELD'")
                .bind(0, c.saleIds).bind(1, c.purchaseIds).bind(2, c.events).bind(3, c.at).bind(4, c.expiresAt)
                .bind(5, c.paymentIds)
                .fetch().rowsUpdated();
    }

    /** Transitions as one array per column; {@code paymentIds} has '' where a transition carries none. */
    private static final class TransitionColumns {
        final String[] saleIds;
        final String[] purchaseIds;
        final String[] events;
        final String[] paymentIds;
        final OffsetDateTime[] at;
        final OffsetDateTime[] expiresAt;

        TransitionColumns(Collection<Transition> transitions) {
            int n = transitions.size();
            saleIds = new String[n];
            purchaseIds = new String[n];
            events = new String[n];
            paymentIds = new String[n];
            at = new OffsetDateTime[n];
            expiresAt = new OffsetDateTime[n];
            int i = 0;
            for (Transition t : transitions) {
                saleIds[i] = t.purchase().saleId();
                purchaseIds[i] = t.purchase().purchaseId();
                events[i] = t.event().kind().name();
                paymentIds[i] = t.event().paymentId() == null ? "" : t.event().paymentId();
                at[i] = utc(t.event().at());
                expiresAt[i++] = utc(t.event().expiresAt());
            }
        }
    }

    /** The current status of the given purchases of a sale that the table holds, by purchase id. */
    public Mono<Map<String, Hold.Status>> statuses(String saleId, Collection<String> purchaseIds) {
        if (purchaseIds.isEmpty()) {
            return Mono.just(Map.of());
        }
        return db.sql("SELECT purchase_id, status FROM purchases WHERE sale_id = $1 AND purchase_id = ANY($2::text[])")
                .bind(0, saleId).bind(1, purchaseIds.toArray(String[]::new))
                .map(row -> Map.entry(row.get(0, String.class), Hold.Status.valueOf(row.get(1, String.class))))
                .all().collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    private static OffsetDateTime utc(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }

    /** The key of a purchase in a batch: purchase ids are unique per sale. */
    static String key(Purchase p) {
        return key(p.saleId(), p.purchaseId());
    }

    static String key(String saleId, String purchaseId) {
        return saleId + "/" + purchaseId;
    }

    /** A batch as one array per column. */
    private static final class Columns {
        final String[] saleIds;
        final String[] purchaseIds;
        final String[] userIds;
        final Integer[] qtys;
        final OffsetDateTime[] purchasedAt;

        Columns(Collection<Purchase> purchases) {
            int n = purchases.size();
            saleIds = new String[n];
            purchaseIds = new String[n];
            userIds = new String[n];
            qtys = new Integer[n];
            purchasedAt = new OffsetDateTime[n];
            int i = 0;
            for (Purchase p : purchases) {
                saleIds[i] = p.saleId();
                purchaseIds[i] = p.purchaseId();
                userIds[i] = p.userId();
                qtys[i] = p.qty();
                purchasedAt[i++] = utc(p.purchasedAt());
            }
        }
    }

    public Flux<String> purchaseIds(String saleId) {
        return db.sql("SELECT purchase_id FROM purchases WHERE sale_id = $1").bind(0, saleId)
                .map(row -> row.get(0, String.class)).all();
    }

    public Mono<Long> count(String saleId) {
        return db.sql("SELECT count(*) FROM purchases WHERE sale_id = $1").bind(0, saleId)
                .map(row -> row.get(0, Long.class)).one();
    }

    /**
     * The rows of a sale whose purchase id is greater than {@code after}: with the sale's
     * {@code lifeStart()}, those of its current life (the rows of earlier lives under the same name
     * sort before it).
     */
    public Mono<Long> countAfter(String saleId, String after) {
        return db.sql("SELECT count(*) FROM purchases WHERE sale_id = $1 AND purchase_id > $2")
                .bind(0, saleId).bind(1, after)
                .map(row -> row.get(0, Long.class)).one();
    }

    /** Units of the sale's current life (ids after {@code after}) that the table holds as CONFIRMED. */
    public Mono<Long> confirmedUnitsAfter(String saleId, String after) {
        return db.sql("SELECT coalesce(sum(qty), 0) FROM purchases WHERE sale_id = $1 AND purchase_id > $2"
                        + " AND status = 'CONFIRMED'")
                .bind(0, saleId).bind(1, after)
                .map(row -> row.get(0, Long.class)).one();
    }

    /** Which of the given purchase ids of a sale the table holds (primary-key lookups, one statement). */
    public Flux<String> existingIds(String saleId, Collection<String> purchaseIds) {
        if (purchaseIds.isEmpty()) {
            return Flux.empty();
        }
        return db.sql("SELECT purchase_id FROM purchases WHERE sale_id = $1 AND purchase_id = ANY($2::text[])")
                .bind(0, saleId).bind(1, purchaseIds.toArray(String[]::new))
                .map(row -> row.get(0, String.class)).all();
    }

    /**
     * Keyset paging over a sale's rows: at most {@code limit} purchase ids greater than {@code after}
     * ("" for the first page), in order, read from the primary key's index.
     */
    public Flux<String> purchaseIdsAfter(String saleId, String after, int limit) {
        return db.sql("SELECT purchase_id FROM purchases WHERE sale_id = $1 AND purchase_id > $2"
                        + " ORDER BY purchase_id LIMIT $3")
                .bind(0, saleId).bind(1, after).bind(2, limit)
                .map(row -> row.get(0, String.class)).all();
    }
}
