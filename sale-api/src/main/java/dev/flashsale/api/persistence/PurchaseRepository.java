package dev.flashsale.api.persistence;

import dev.flashsale.core.Purchase;
import java.time.ZoneOffset;
import java.util.Collection;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The purchases table: the durable record of every confirmed purchase (R2DBC). */
@Repository
public class PurchaseRepository {

    private static final int COLUMNS = 5;

    private final DatabaseClient db;

    public PurchaseRepository(DatabaseClient db) {
        this.db = db;
    }

    /**
     * Inserts a batch in one statement; a purchase already present is skipped, so redelivery and
     * re-driven duplicates never create a second row. Returns the number of rows inserted.
     */
    public Mono<Long> insertAll(Collection<Purchase> purchases) {
        if (purchases.isEmpty()) {
            return Mono.just(0L);
        }
        StringBuilder sql = new StringBuilder("INSERT INTO purchases (sale_id, purchase_id, user_id, qty, purchased_at) VALUES ");
        int n = 0;
        for (int i = 0; i < purchases.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append('(');
            for (int c = 0; c < COLUMNS; c++) {
                sql.append(c == 0 ? "" : ", ").append('$').append(++n);
            }
            sql.append(')');
        }
        sql.append(" ON CONFLICT (sale_id, purchase_id) DO NOTHING");
        DatabaseClient.GenericExecuteSpec spec = db.sql(sql.toString());
        int i = 0;
        for (Purchase p : purchases) {
            spec = spec.bind(i++, p.saleId()).bind(i++, p.purchaseId()).bind(i++, p.userId()).bind(i++, p.qty())
                    .bind(i++, p.purchasedAt().atOffset(ZoneOffset.UTC));
        }
        return spec.fetch().rowsUpdated();
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
