package dev.flashsale.operator;

import dev.flashsale.core.SaleView;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToLongFunction;

/**
 * Each sale's remaining stock, sold, persisted, held and confirmed units as the reconciler last read
 * them, tagged {@code sale}. The operator exports them (not sale-api) because one leader sees every
 * sale: no per-pod copies to de-duplicate, and they stay while no shopper traffic reaches sale-api.
 */
final class SaleMetrics {

    /** The last view read of a sale, and the gauges that read it. */
    private record Sale(AtomicReference<SaleView> view, List<Meter> meters) {
    }

    private final MeterRegistry registry;
    private final Map<String, Sale> sales = new ConcurrentHashMap<>();

    SaleMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void observe(SaleView view) {
        sales.computeIfAbsent(view.id(), id -> register(view)).view().set(view);
    }

    /** Once the sale's keys are gone from Redis. */
    void forget(String saleId) {
        Sale sale = sales.remove(saleId);
        if (sale != null) {
            sale.meters().forEach(registry::remove);
        }
    }

    private Sale register(SaleView first) {
        AtomicReference<SaleView> view = new AtomicReference<>(first);
        return new Sale(view, List.of(
                gauge("flashsale.sale.remaining.stock", "Units the sale has left", view, SaleView::stock),
                gauge("flashsale.sale.sold", "Units sold", view, SaleView::sold),
                gauge("flashsale.sale.persisted", "Units sold and committed in PostgreSQL", view, SaleView::persisted),
                gauge("flashsale.sale.held", "Units in open holds (checkout)", view, SaleView::held),
                gauge("flashsale.sale.confirmed", "Units paid for, or sold without checkout", view, SaleView::confirmed)));
    }

    private Meter gauge(String name, String description, AtomicReference<SaleView> view, ToLongFunction<SaleView> value) {
        return Gauge.builder(name, view, v -> value.applyAsLong(v.get())).tag("sale", view.get().id())
                .description(description).register(registry);
    }
}
