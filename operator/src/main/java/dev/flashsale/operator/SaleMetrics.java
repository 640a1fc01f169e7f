package dev.flashsale.operator;

import dev.flashsale.core.SaleView;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Each sale's remaining stock, sold and persisted units as the reconciler last read them, tagged
 * {@code sale}. The operator exports them (not sale-api) because one leader sees every sale: no
 * per-pod copies to de-duplicate, and they stay while no shopper traffic reaches sale-api.
 */
final class SaleMetrics {

    private record Sale(AtomicLong stock, AtomicLong sold, AtomicLong persisted, List<Meter> meters) {
    }

    private final MeterRegistry registry;
    private final Map<String, Sale> sales = new ConcurrentHashMap<>();

    SaleMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void observe(SaleView view) {
        Sale sale = sales.computeIfAbsent(view.id(), this::register);
        sale.stock().set(view.stock());
        sale.sold().set(view.sold());
        sale.persisted().set(view.persisted());
    }

    /** Once the sale's keys are gone from Redis. */
    void forget(String saleId) {
        Sale sale = sales.remove(saleId);
        if (sale != null) {
            sale.meters().forEach(registry::remove);
        }
    }

    private Sale register(String saleId) {
        AtomicLong stock = new AtomicLong();
        AtomicLong sold = new AtomicLong();
        AtomicLong persisted = new AtomicLong();
        return new Sale(stock, sold, persisted, List.of(
                gauge("flashsale.sale.remaining.stock", "Units the sale has left", saleId, stock),
                gauge("flashsale.sale.sold", "Units sold", saleId, sold),
                gauge("flashsale.sale.persisted", "Units sold and committed in PostgreSQL", saleId, persisted)));
    }

    private Meter gauge(String name, String description, String saleId, AtomicLong value) {
        return Gauge.builder(name, value, AtomicLong::get).tag("sale", saleId).description(description).register(registry);
    }
}
