package dev.flashsale.operator;

import dev.flashsale.operator.StatusEvents.Note;
import dev.flashsale.operator.crd.FlashSale;
import dev.flashsale.operator.crd.FlashSaleStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Writes a FlashSale's new status, then records the Events its change is worth ({@link StatusEvents}). */
final class StatusUpdates {

    private final EventRecorder events;
    private final Counter patches;

    StatusUpdates(EventRecorder events, MeterRegistry registry) {
        this.events = events;
        this.patches = Counter.builder("flashsale.operator.status.patches")
                .description("FlashSale status updates written").register(registry);
    }

    /**
     * Server-side applies {@code status} unless the sale has it already, and waits until the informer
     * cache has it, so that the next reconciliation compares with what was written (no repeated
     * Events, stable transition times). The Events follow the write: a failed write tells nothing.
     */
    void write(FlashSale sale, FlashSaleStatus status, Context<FlashSale> context) {
        FlashSaleStatus before = sale.getStatus();
        if (status.equals(before)) {
            return;
        }
        PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(sale, withStatus(sale, status), context);
        patches.increment();
        for (Note note : StatusEvents.between(before, status)) {
            switch (note.type()) {
                case Normal -> events.normal(sale, note.reason(), note.message());
                case Warning -> events.warning(sale, note.reason(), note.message());
            }
        }
    }

    /** For JOSDK's updateErrorStatus, which writes it; a failure is worth no Event ({@link Reasons#RECONCILE_FAILED}). */
    ErrorStatusUpdateControl<FlashSale> onError(FlashSale sale, FlashSaleStatus status) {
        return status.equals(sale.getStatus()) ? ErrorStatusUpdateControl.noStatusUpdate()
                : ErrorStatusUpdateControl.patchStatus(withStatus(sale, status));
    }

    /** Only what this operator owns, as server-side apply wants it. */
    private static FlashSale withStatus(FlashSale sale, FlashSaleStatus status) {
        FlashSale fresh = new FlashSale();
        fresh.setMetadata(new ObjectMetaBuilder().withName(sale.getMetadata().getName())
                .withNamespace(sale.getMetadata().getNamespace()).build());
        fresh.setStatus(status);
        return fresh;
    }
}
