package dev.flashsale.api.persistence;

import dev.flashsale.core.Purchase;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
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
     * Inserts a batch in one statement; a purchase already present is skipped, so redelivery and
     * re-driven duplicates never create a second row. Returns the number of rows inserted. The
     * columns go as five arrays: a batch of thousands costs five parameters, not five per row
     * (binding row by row copies the bindings each time and parses a statement of 10,000 markers).
     */
    public Mono<Long> insertAll(Collection<Purchase> purchases) {
        if (purchases.isEmpty()) {
            return Mono.just(0L);
        }
        int n = purchases.size();
        String[] saleIds = new String[n];
        String[] purchaseIds = new String[n];
        String[] userIds = new String[n];
        Integer[] qtys = new Integer[n];
        OffsetDateTime[] purchasedAt = new OffsetDateTime[n];
        int i = 0;
        for (Purchase p : purchases) {
            saleIds[i] = p.saleId();
            purchaseIds[i] = p.purchaseId();
            userIds[i] = p.userId();
            qtys[i] = p.qty();
            purchasedAt[i++] = p.purchasedAt().atOffset(ZoneOffset.UTC);
        }
        return db.sql("INSERT INTO purchases (sale_id, purchase_id, user_id, qty, purchased_at)"
                        + " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[], $5::timestamptz[])"
                        + " ON CONFLICT (sale_id, purchase_id) DO NOTHING")
                .bind(0, saleIds).bind(1, purchaseIds).bind(2, userIds).bind(3, qtys).bind(4, purchasedAt)
                .fetch().rowsUpdated();
    }

    public Flux<String> purchaseIds(String saleId) {
        return db.sql("SELECT purchase_id FROM purchases WHERE sale_id = $1").bind(0, saleId)
                .map(row -> row.get(0, String.class)).all();
    }

    public Mono<Long> count(String saleId) {
        return db.sql("SELECT count(*) FROM purchases WHERE sale_id = $1").bind(0, saleId)
                .map(row -> row.get(0, Long.class)).one();
    }
}
