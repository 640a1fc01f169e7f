package dev.flashsale.api.persistence;

import dev.flashsale.core.Purchase;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The purchases table: the durable record of every confirmed purchase (R2DBC). */
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
     * the same id. The columns go as five arrays: a batch of thousands costs five parameters, not
     * five per row (binding row by row copies the bindings each time and parses a statement of
     * 10,000 markers).
     */
    public Mono<StoreResult> store(Collection<Purchase> purchases) {
        if (purchases.isEmpty()) {
            return Mono.just(new StoreResult(List.of(), List.of(), 0));
        }
        Columns c = new Columns(purchases);
        return db.sql("INSERT INTO purchases (sale_id, purchase_id, user_id, qty, purchased_at)"
                        + " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[], $5::timestamptz[])"
                        + " ON CONFLICT (sale_id, purchase_id) DO NOTHING RETURNING sale_id, purchase_id")
                .bind(0, c.saleIds).bind(1, c.purchaseIds).bind(2, c.userIds).bind(3, c.qtys).bind(4, c.purchasedAt)
                .map(row -> key(row.get(0, String.class), row.get(1, String.class)))
                .all().collect(Collectors.toSet())
                .flatMap(inserted -> {
                    List<Purchase> skipped = purchases.stream()
                            .filter(p -> !inserted.contains(key(p.saleId(), p.purchaseId()))).toList();
                    List<Purchase> insertedNow = purchases.stream()
                            .filter(p -> inserted.contains(key(p.saleId(), p.purchaseId()))).toList();
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
            Purchase row = rows.get(key(p.saleId(), p.purchaseId()));
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
                .all().collectMap(p -> key(p.saleId(), p.purchaseId()));
    }

    private static String key(String saleId, String purchaseId) {
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
                purchasedAt[i++] = p.purchasedAt().atOffset(ZoneOffset.UTC);
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
