package dev.flashsale.operator;

import dev.flashsale.operator.crd.FlashSale;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Sale ids are cluster-wide in Redis but FlashSales are namespaced: of the FlashSales sharing a name,
 * the oldest (creation time, then namespace) holds the id. Looked up through an index of the
 * informer's cache of FlashSales.
 */
final class SaleIds {

    private static final String INDEX = "saleId";

    private SaleIds() {
    }

    static void index(IndexerResourceCache<FlashSale> sales) {
        sales.addIndexer(INDEX, s -> List.of(s.getMetadata().getName()));
    }

    /** Every FlashSale named {@code saleId}, in any namespace. */
    static List<FlashSale> named(IndexedResourceCache<FlashSale> sales, String saleId) {
        return sales.byIndex(INDEX, saleId);
    }

    /** The FlashSale holding {@code sale}'s id when that is another one. */
    static Optional<FlashSale> otherHolder(FlashSale sale, IndexedResourceCache<FlashSale> sales) {
        return named(sales, sale.getMetadata().getName()).stream()
                .min(Comparator.comparing((FlashSale s) -> Instant.parse(s.getMetadata().getCreationTimestamp()))
                        .thenComparing(s -> s.getMetadata().getNamespace()))
                .filter(s -> !s.getMetadata().getUid().equals(sale.getMetadata().getUid()));
    }
}
