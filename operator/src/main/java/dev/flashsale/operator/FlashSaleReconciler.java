package dev.flashsale.operator;

import dev.flashsale.core.DeleteResult;
import dev.flashsale.core.EndReason;
import dev.flashsale.core.SaleSpec;
import dev.flashsale.core.SaleState;
import dev.flashsale.core.SaleStore;
import dev.flashsale.core.SaleView;
import dev.flashsale.core.UpsertResult;
import dev.flashsale.operator.crd.FlashSale;
import dev.flashsale.operator.crd.FlashSaleSpec;
import dev.flashsale.operator.crd.FlashSaleStatus;
import dev.flashsale.operator.crd.FlashSaleStatus.Phase;
import dev.flashsale.operator.crd.GoDuration;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
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
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a FlashSale with its Redis keys through sale-core (the only writer of sale keys): applies
 * the spec with {@link SaleStore#upsert}, reports the sale's {@link SaleView} as status, records Events,
 * scales sale-api, and wakes up exactly at the sale's boundaries. Status is pushed within about a second
 * during a sale by {@link SaleEventSource}; nothing polls Redis in a loop.
 */
@ControllerConfiguration(name = FlashSaleReconciler.NAME, finalizerName = FlashSaleReconciler.FINALIZER)
public class FlashSaleReconciler implements Reconciler<FlashSale>, Cleaner<FlashSale> {

    public static final String NAME = "flashsale";
    /** Held until the sale's hot keys are gone from Redis, i.e. until every purchase is persisted. */
    public static final String FINALIZER = "flashsale.dev/redis-keys";
    static final String SALE_ID_INDEX = "saleId";
    /** Wake-ups aim this far past a boundary, so that the Redis clock has surely reached it. */
    private static final Duration BOUNDARY_MARGIN = Duration.ofMillis(5);
    private static final Duration REDIS_TIMEOUT = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(FlashSaleReconciler.class);

    private final SaleStore store;
    private final RedisClient redis;
    private final EventRecorder events;
    private final Optional<SaleApiScaler> scaler;
    private final OperatorConfig config;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Counter upserts;
    private final Counter cancels;
    private final Counter deletes;
    private final Counter statusPatches;
    private final SaleMetrics saleMetrics;

    FlashSaleReconciler(SaleStore store, RedisClient redis, EventRecorder events, Optional<SaleApiScaler> scaler,
                        OperatorConfig config, MeterRegistry registry, Clock clock) {
        this.store = store;
        this.redis = redis;
        this.events = events;
        this.scaler = scaler;
        this.config = config;
        this.registry = registry;
        this.clock = clock;
        this.upserts = writes(registry, "upsert");
        this.cancels = writes(registry, "cancel");
        this.deletes = writes(registry, "delete");
        this.statusPatches = Counter.builder("flashsale.operator.status.patches")
                .description("FlashSale status updates written").register(registry);
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
        context.getPrimaryCache().addIndexer(SALE_ID_INDEX, s -> List.of(s.getMetadata().getName()));
        RedisURI events = RedisURI.create(config.redisUrl());
        events.setClientName(eventsClientName(config.identity()));
        return List.of(new SaleEventSource(redis, events, context.getPrimaryCache(), config.statusInterval(), registry));
    }

    @Override
    public UpdateControl<FlashSale> reconcile(FlashSale sale, Context<FlashSale> context) {
        String id = sale.getMetadata().getName();
        long generation = sale.getMetadata().getGeneration();
        FlashSaleStatus before = Optional.ofNullable(sale.getStatus()).orElseGet(FlashSaleStatus::new);
        StatusDraft draft = new StatusDraft(before, generation, clock.instant());

        Optional<FlashSale> holder = holderOfId(sale, context.getPrimaryCache());
        if (holder.isPresent()) {
            String other = holder.get().getMetadata().getNamespace() + "/" + id;
            draft.notReady(sale, "NameConflict", "sale id " + id + " is already used by FlashSale " + other
                    + ", created earlier; sale ids are unique across namespaces. Rename this one.");
            // retried now and then: it takes over the id once the other one is gone
            return finish(sale, draft, context, Optional.of(clock.instant().plus(config.resync())));
        }

        SaleSpec spec;
        try {
            spec = toSaleSpec(sale);
            spec.validate().throwIfAny();
        } catch (IllegalArgumentException | DateTimeException e) {
            // what the schema cannot express, e.g. a productName of control characters only
            draft.notReady(sale, "InvalidSpec", e.getMessage());
            return finish(sale, draft, context, Optional.empty());
        }

        boolean initialized = Conditions.isTrue(before.getConditions(), Conditions.STOCK_INITIALIZED);
        UpsertResult result = store.upsert(spec, !initialized).block(REDIS_TIMEOUT);
        upserts.increment();
        Optional<SaleView> view = Optional.ofNullable(store.view(id).block(REDIS_TIMEOUT));
        Instant viewedAt = clock.instant();
        switch (result.outcome()) {
            case CREATED, UPDATED -> {
                draft.ready("Applied", "spec applied to Redis");
                if (!initialized) {
                    draft.set(Conditions.STOCK_INITIALIZED, true, "Initialized",
                            "stock initialised to " + spec.initialStock() + " units");
                    if (result.outcome() == UpsertResult.Outcome.UPDATED) {
                        log.info("{}/{}: adopted the Redis keys that already existed for this sale id",
                                sale.getMetadata().getNamespace(), id);
                    }
                }
            }
            case REFUSED -> draft.notReady(sale, "ChangeRefused", refusal(result.refusedField(), view));
            case SALE_NOT_FOUND -> draft.notReady(sale, "RedisKeysMissing", "the sale's keys are gone from Redis although its"
                    + " stock was initialised (Redis data lost?); the operator does not re-create them, which would sell"
                    + " the stock a second time. Restore Redis, or delete and re-create the FlashSale.");
        }
        view.ifPresent(v -> {
            draft.observe(sale, v);
            saleMetrics.observe(v);
        });
        boolean ended = view.map(v -> v.state() == SaleState.ENDED).orElse(before.getPhase() == Phase.Ended);
        Instant now = view.map(SaleView::serverTime).orElseGet(clock::instant);
        scale(sale, context.getPrimaryCache().list(), ended, now);
        return finish(sale, draft, context, view.flatMap(v -> nextWakeUp(sale.getSpec(), v, config.resync()))
                .map(viewedAt::plus));
    }

    @Override
    public DeleteControl cleanup(FlashSale sale, Context<FlashSale> context) {
        String id = sale.getMetadata().getName();
        scale(sale, context.getPrimaryCache().list(), true, clock.instant());
        if (holderOfId(sale, context.getPrimaryCache()).isPresent()) {
            return DeleteControl.defaultDelete(); // the keys belong to the other FlashSale of that id
        }
        DeleteResult result = store.delete(id, false).block(REDIS_TIMEOUT);
        deletes.increment();
        if (result.outcome() != DeleteResult.Outcome.NOT_PERSISTED) {
            saleMetrics.forget(id);
            events.normal(sale, "KeysDeleted", result.outcome() == DeleteResult.Outcome.DELETED
                    ? "hot keys removed from Redis; all " + result.sold() + " sold units were persisted"
                    : "no keys in Redis");
            return DeleteControl.defaultDelete();
        }
        // A sale being deleted must stop selling; its keys stay until PostgreSQL has every purchase.
        SaleView view = store.view(id).block(REDIS_TIMEOUT);
        if (view != null && view.state() != SaleState.ENDED) {
            store.cancel(id).block(REDIS_TIMEOUT);
            cancels.increment();
            view = store.view(id).block(REDIS_TIMEOUT);
        }
        FlashSaleStatus before = Optional.ofNullable(sale.getStatus()).orElseGet(FlashSaleStatus::new);
        StatusDraft draft = new StatusDraft(before, sale.getMetadata().getGeneration(), clock.instant());
        if (view != null) {
            draft.observe(sale, view);
            saleMetrics.observe(view);
        }
        String waiting = "deletion waits until every purchase is persisted: " + result.persisted() + " of "
                + result.sold() + " units";
        if (!"AwaitingPersistence".equals(draft.reason(Conditions.READY))) {
            events.normal(sale, "AwaitingPersistence", waiting);
        }
        draft.set(Conditions.READY, false, "AwaitingPersistence", waiting);
        patchStatus(sale, draft.status(), context);
        // PERSISTED events from Redis wake this up as PostgreSQL catches up; this is the safety net.
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(config.resync());
    }

    @Override
    public ErrorStatusUpdateControl<FlashSale> updateErrorStatus(FlashSale sale, Context<FlashSale> context, Exception e) {
        FlashSaleStatus before = Optional.ofNullable(sale.getStatus()).orElseGet(FlashSaleStatus::new);
        StatusDraft draft = new StatusDraft(before, sale.getMetadata().getGeneration(), clock.instant());
        draft.set(Conditions.READY, false, "ReconcileFailed", String.valueOf(e.getMessage()));
        FlashSaleStatus status = draft.status();
        return status.equals(before) ? ErrorStatusUpdateControl.noStatusUpdate()
                : ErrorStatusUpdateControl.patchStatus(withStatus(sale, status));
    }

    /**
     * Sale ids are cluster-wide in Redis but FlashSales are namespaced: of the FlashSales sharing a
     * name, the oldest holds the id; returns that one when it is not {@code sale}.
     */
    private static Optional<FlashSale> holderOfId(FlashSale sale, IndexedResourceCache<FlashSale> cache) {
        return cache.byIndex(SALE_ID_INDEX, sale.getMetadata().getName()).stream()
                .min(Comparator.comparing((FlashSale s) -> Instant.parse(s.getMetadata().getCreationTimestamp()))
                        .thenComparing(s -> s.getMetadata().getNamespace()))
                .filter(s -> !s.getMetadata().getUid().equals(sale.getMetadata().getUid()));
    }

    static SaleSpec toSaleSpec(FlashSale sale) {
        FlashSaleSpec s = sale.getSpec();
        return new SaleSpec(sale.getMetadata().getName(), s.getSku(), s.getProductName(),
                Objects.requireNonNullElse(s.getInitialStock(), 0L), Objects.requireNonNullElse(s.getPerUserLimit(), 1),
                Times.parse(s.getStartTime()), Times.parse(s.getEndTime()),
                Boolean.TRUE.equals(s.getPaused()), Boolean.TRUE.equals(s.getCancelled()));
    }

    private static String refusal(String field, Optional<SaleView> view) {
        String kept = view.map(v -> switch (field) {
            case "initialStock" -> " (kept: " + v.initialStock() + ")";
            case "startTime" -> " (kept: " + v.startTime() + ")";
            case "sku" -> " (kept: " + v.sku() + ")";
            default -> "";
        }).orElse("");
        String rule = switch (field) {
            case "initialStock", "startTime" -> field + " cannot change once the sale has started";
            case "cancelled" -> "a cancelled sale cannot be resumed";
            default -> field + " cannot change";
        };
        return rule + kept + "; the change was not applied (Redis untouched). Revert it to make the sale Ready again.";
    }

    /**
     * The next boundary of the sale by the Redis clock: startTime - leadTime (scaling), startTime,
     * endTime; at most {@code resync} away while the sale has not ended. An ended sale needs no timer:
     * PERSISTED events keep its persisted count current.
     */
    static Optional<Duration> nextWakeUp(FlashSaleSpec spec, SaleView view, Duration resync) {
        if (view.state() == SaleState.ENDED) {
            return Optional.empty();
        }
        List<Instant> boundaries = new ArrayList<>(List.of(view.startTime(), view.endTime()));
        if (spec.getScaling() != null) {
            boundaries.add(view.startTime().minus(GoDuration.parse(Times.leadTime(spec.getScaling()))));
        }
        Instant now = view.serverTime();
        return Optional.of(boundaries.stream().filter(now::isBefore)
                .map(b -> Duration.between(now, b).plus(BOUNDARY_MARGIN))
                .min(Comparator.naturalOrder())
                .filter(d -> d.compareTo(resync) < 0)
                .orElse(resync));
    }

    private void scale(FlashSale sale, Stream<FlashSale> all, boolean ended, Instant now) {
        scaler.flatMap(s -> s.reconcile(all, sale, ended, now)).ifPresent(c -> events.normal(sale,
                c.restored() ? "ScaledDown" : "ScaledUp", "sale-api " + c.target()
                        + (c.restored() ? " restored to " : " raised to ") + c.to() + " (was " + c.from() + ")"));
    }

    /**
     * Writes the status and asks to be woken at {@code wakeAt} (local clock). JOSDK starts its timer only
     * when this returns, so the time spent on the status, Events and scaling is deducted here.
     */
    private UpdateControl<FlashSale> finish(FlashSale sale, StatusDraft draft, Context<FlashSale> context,
                                            Optional<Instant> wakeAt) {
        patchStatus(sale, draft.status(), context);
        UpdateControl<FlashSale> control = UpdateControl.noUpdate();
        wakeAt.map(t -> Duration.between(clock.instant(), t))
                .map(d -> d.isNegative() ? Duration.ZERO : d)
                .ifPresent(control::rescheduleAfter);
        return control;
    }

    /**
     * Server-side applies the status and waits until the informer cache has it, so the next
     * reconciliation compares with what was written (no repeated Events, stable transition times).
     */
    private void patchStatus(FlashSale sale, FlashSaleStatus status, Context<FlashSale> context) {
        if (status.equals(sale.getStatus())) {
            return;
        }
        PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(sale, withStatus(sale, status), context);
        statusPatches.increment();
    }

    /** Only what this operator owns, as server-side apply wants it. */
    private static FlashSale withStatus(FlashSale sale, FlashSaleStatus status) {
        FlashSale fresh = new FlashSale();
        fresh.setMetadata(new ObjectMetaBuilder().withName(sale.getMetadata().getName())
                .withNamespace(sale.getMetadata().getNamespace()).build());
        fresh.setStatus(status);
        return fresh;
    }

    /** The status being built from the one read, emitting Events for what changes. */
    private final class StatusDraft {
        private final FlashSaleStatus before;
        private final FlashSaleStatus next = new FlashSaleStatus();
        private final long generation;
        private final Instant now;

        StatusDraft(FlashSaleStatus before, long generation, Instant now) {
            this.before = before;
            this.generation = generation;
            this.now = now;
            next.setPhase(before.getPhase());
            next.setEndReason(before.getEndReason());
            next.setRemainingStock(before.getRemainingStock());
            next.setSold(before.getSold());
            next.setPersisted(before.getPersisted());
            next.setConditions(before.getConditions() == null ? new ArrayList<>() : new ArrayList<>(before.getConditions()));
            next.setObservedGeneration(generation);
        }

        void set(String type, boolean status, String reason, String message) {
            next.setConditions(Conditions.with(next.getConditions(), type, status, reason, message, generation, now));
        }

        String reason(String type) {
            return Conditions.find(before.getConditions(), type).map(c -> c.getReason()).orElse(null);
        }

        void ready(String reason, String message) {
            set(Conditions.READY, true, reason, message);
        }

        /** Ready=False, with a Warning Event when this is news (not on every reconciliation). */
        void notReady(FlashSale sale, String reason, String message) {
            boolean news = Conditions.find(before.getConditions(), Conditions.READY)
                    .map(c -> !"False".equals(c.getStatus()) || !reason.equals(c.getReason()) || !message.equals(c.getMessage()))
                    .orElse(true);
            if (news) {
                events.warning(sale, reason, message);
            }
            set(Conditions.READY, false, reason, message);
        }

        void observe(FlashSale sale, SaleView view) {
            Phase phase = switch (view.state()) {
                case UPCOMING -> Phase.Upcoming;
                case ACTIVE -> Phase.Active;
                case PAUSED -> Phase.Paused;
                case ENDED -> Phase.Ended;
            };
            next.setPhase(phase);
            next.setEndReason(view.endReason() == null ? null : switch (view.endReason()) {
                case SOLD_OUT -> FlashSaleStatus.EndReason.SoldOut;
                case TIME_EXPIRED -> FlashSaleStatus.EndReason.TimeExpired;
                case CANCELLED -> FlashSaleStatus.EndReason.Cancelled;
            });
            next.setRemainingStock(view.stock());
            next.setSold(view.sold());
            next.setPersisted(view.persisted());
            boolean caughtUp = view.persisted() >= view.sold();
            set(Conditions.PERSISTENCE_CAUGHT_UP, caughtUp, caughtUp ? "CaughtUp" : "Persisting",
                    view.persisted() + " of " + view.sold() + " sold units persisted in PostgreSQL");
            if (phase != before.getPhase()) {
                events.normal(sale, phaseReason(before.getPhase(), phase, view.endReason()),
                        "phase " + (before.getPhase() == null ? "-" : before.getPhase()) + " -> " + phase + ": "
                                + view.stock() + " of " + view.initialStock() + " units left");
            }
        }

        FlashSaleStatus status() {
            return next;
        }
    }

    private static String phaseReason(Phase from, Phase to, EndReason endReason) {
        return switch (to) {
            case Upcoming -> "Upcoming";
            case Active -> from == Phase.Paused ? "Resumed" : "Started";
            case Paused -> "Paused";
            case Ended -> switch (endReason) {
                case SOLD_OUT -> "SoldOut";
                case TIME_EXPIRED -> "TimeExpired";
                case CANCELLED -> "Cancelled";
            };
        };
    }
}
