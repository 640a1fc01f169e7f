package dev.flashsale.operator;

import dev.flashsale.core.DeleteResult;
import dev.flashsale.core.SaleSpec;
import dev.flashsale.core.SaleState;
import dev.flashsale.core.SaleStore;
import dev.flashsale.core.SaleView;
import dev.flashsale.core.UpsertResult;
import dev.flashsale.operator.FlashSaleStatusBuilder.Outcome;
import dev.flashsale.operator.crd.FlashSale;
import dev.flashsale.operator.crd.FlashSaleStatus;
import dev.flashsale.operator.crd.FlashSaleStatus.Phase;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a FlashSale with its Redis keys through sale-core (the only writer of sale keys): the
 * sale must hold its id, its spec must be valid, then it is applied with {@link SaleStore#upsert},
 * read back as a {@link SaleView}, reported as status (with the Events the change is worth), sale-api
 * is scaled, and the next boundary of the sale is awaited. Status is pushed within about a second
 * during a sale by {@link SaleEventSource}; nothing polls Redis in a loop, and JOSDK's maximum
 * reconciliation interval (OperatorConfig's resync) is the safety net.
 */
@ControllerConfiguration(name = FlashSaleReconciler.NAME, finalizerName = FlashSaleReconciler.FINALIZER)
public class FlashSaleReconciler implements Reconciler<FlashSale>, Cleaner<FlashSale> {

    public static final String NAME = "flashsale";
    /** Held until the sale's hot keys are gone from Redis, i.e. until every purchase is persisted. */
    public static final String FINALIZER = "flashsale.dev/redis-keys";
    private static final Duration REDIS_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(FlashSaleReconciler.class);

    private final SaleStore store;
    private final RedisClient redis;
    private final EventRecorder events;
    private final StatusUpdates statuses;
    private final Optional<SaleApiScaler> scaler;
    private final OperatorConfig config;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Counter upserts;
    private final Counter cancels;
    private final Counter deletes;
    private final SaleMetrics saleMetrics;

    FlashSaleReconciler(SaleStore store, RedisClient redis, EventRecorder events, Optional<SaleApiScaler> scaler,
                        OperatorConfig config, MeterRegistry registry, Clock clock) {
        this.store = store;
        this.redis = redis;
        this.events = events;
        this.statuses = new StatusUpdates(events, registry);
        this.scaler = scaler;
        this.config = config;
        this.registry = registry;
        this.clock = clock;
        this.upserts = writes(registry, "upsert");
        this.cancels = writes(registry, "cancel");
        this.deletes = writes(registry, "delete");
        this.saleMetrics = new SaleMetrics(registry);
    }

    /** The name of the pub/sub connection in Redis' CLIENT LIST, kept across reconnects. */
    static String eventsClientName(String identity) {
        return FlashSaleOperator.clientName(identity) + ":events";
    }

    private static Counter writes(MeterRegistry registry, String op) {
        return Counter.builder("flashsale.operator.redis.writes").tag("op", op)
                .description("sale-core writes made by this operator instance").register(registry);
    }

    @Override
    public List<EventSource<?, FlashSale>> prepareEventSources(EventSourceContext<FlashSale> context) {
        SaleIds.index(context.getPrimaryCache());
        RedisURI uri = RedisURI.create(config.redisUrl());
        uri.setClientName(eventsClientName(config.identity()));
        List<EventSource<?, FlashSale>> sources = new ArrayList<>();
        sources.add(new SaleEventSource(redis, uri, context.getPrimaryCache(), config.statusInterval(), registry));
        scaler.ifPresent(s -> sources.addAll(s.eventSources(context)));
        return sources;
    }

    @Override
    public UpdateControl<FlashSale> reconcile(FlashSale sale, Context<FlashSale> context) {
        Optional<FlashSale> holder = SaleIds.otherHolder(sale, context.getPrimaryCache());
        if (holder.isPresent()) {
            // the periodic reconciliation retries: it takes over the id once the other one is gone
            statuses.write(sale, status(sale, new Outcome.NameConflict(sale.getMetadata().getName(),
                    holder.get().getMetadata().getNamespace()), Optional.empty()), context);
            return UpdateControl.noUpdate();
        }
        SaleSpec spec;
        try {
            spec = SaleSpecs.of(sale);
            spec.validate().throwIfAny();
        } catch (IllegalArgumentException | DateTimeException e) {
            statuses.write(sale, status(sale, new Outcome.InvalidSpec(e.getMessage()), Optional.empty()), context);
            return UpdateControl.noUpdate();
        }
        UpsertResult result = apply(sale, spec);
        Optional<SaleView> view = view(spec.id());
        Instant viewedAt = clock.instant();
        FlashSaleStatus status = status(sale, new Outcome.Upserted(result, spec.initialStock()), view);
        statuses.write(sale, status, context);
        scale(sale, context, status.getPhase() == Phase.Ended, view.map(SaleView::serverTime).orElseGet(clock::instant));
        return wakeUpAtNextBoundary(sale, view, viewedAt, context);
    }

    @Override
    public DeleteControl cleanup(FlashSale sale, Context<FlashSale> context) {
        String id = sale.getMetadata().getName();
        scale(sale, context, true, clock.instant());
        if (SaleIds.otherHolder(sale, context.getPrimaryCache()).isPresent()) {
            return DeleteControl.defaultDelete(); // the keys belong to the other FlashSale of that id
        }
        DeleteResult result = store.delete(id, false).block(REDIS_TIMEOUT);
        deletes.increment();
        if (result.outcome() != DeleteResult.Outcome.NOT_PERSISTED) {
            saleMetrics.forget(id);
            events.normal(sale, Reasons.KEYS_DELETED, result.outcome() == DeleteResult.Outcome.DELETED
                    ? "hot keys removed from Redis; all " + result.sold() + " sold units were persisted"
                    : "no keys in Redis");
            return DeleteControl.defaultDelete();
        }
        Optional<SaleView> view = stopSelling(id);
        statuses.write(sale, status(sale, new Outcome.AwaitingPersistence(result.persisted(), result.sold()), view),
                context);
        // PERSISTED events from Redis wake this up as PostgreSQL catches up; the periodic reconciliation is the safety net
        return DeleteControl.noFinalizerRemoval();
    }

    @Override
    public ErrorStatusUpdateControl<FlashSale> updateErrorStatus(FlashSale sale, Context<FlashSale> context, Exception e) {
        return statuses.onError(sale, status(sale, new Outcome.Failed(String.valueOf(e.getMessage())), Optional.empty()));
    }

    private FlashSaleStatus status(FlashSale sale, Outcome outcome, Optional<SaleView> view) {
        return FlashSaleStatusBuilder.build(sale.getStatus(), sale.getMetadata().getGeneration(), outcome, view,
                clock.instant());
    }

    /**
     * Creates the keys only until the status says the stock was initialised once: keys gone later
     * (Redis data lost) are reported, never re-created, which would sell the stock a second time.
     */
    private UpsertResult apply(FlashSale sale, SaleSpec spec) {
        boolean initialized = sale.getStatus() != null
                && Conditions.isTrue(sale.getStatus().getConditions(), Conditions.STOCK_INITIALIZED);
        UpsertResult result = store.upsert(spec, !initialized).block(REDIS_TIMEOUT);
        upserts.increment();
        if (!initialized && result.outcome() == UpsertResult.Outcome.UPDATED) {
            log.info("{}/{}: adopted the Redis keys that already existed for this sale id",
                    sale.getMetadata().getNamespace(), spec.id());
        }
        return result;
    }

    /** The sale as Redis has it now (reading it records a due state change); the gauges follow it. */
    private Optional<SaleView> view(String id) {
        Optional<SaleView> view = Optional.ofNullable(store.view(id).block(REDIS_TIMEOUT));
        view.ifPresent(saleMetrics::observe);
        return view;
    }

    /** A sale being deleted must stop selling; its keys stay until PostgreSQL has every purchase. */
    private Optional<SaleView> stopSelling(String id) {
        Optional<SaleView> view = view(id);
        if (view.isPresent() && view.get().state() != SaleState.ENDED) {
            store.cancel(id).block(REDIS_TIMEOUT);
            cancels.increment();
            return view(id);
        }
        return view;
    }

    private void scale(FlashSale sale, Context<FlashSale> context, boolean ended, Instant now) {
        scaler.flatMap(s -> s.reconcile(context, sale, ended, now)).ifPresent(c ->
                events.normal(sale, c.restored() ? Reasons.SCALED_DOWN : Reasons.SCALED_UP, c.describe()));
    }

    /**
     * JOSDK starts its timer only when this returns, so the time spent since the view was read (status,
     * Events, scaling) is deducted; a boundary beyond the maximum interval is left to that.
     */
    private UpdateControl<FlashSale> wakeUpAtNextBoundary(FlashSale sale, Optional<SaleView> view, Instant viewedAt,
                                                          Context<FlashSale> context) {
        UpdateControl<FlashSale> control = UpdateControl.noUpdate();
        view.flatMap(v -> WakeUps.rescheduleAfter(sale.getSpec(), v, Duration.between(viewedAt, clock.instant()),
                        context.getControllerConfiguration().maxReconciliationInterval()))
                .ifPresent(control::rescheduleAfter);
        return control;
    }
}
