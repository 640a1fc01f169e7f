package dev.flashsale.operator;

import dev.flashsale.operator.OperatorConfig.DeploymentRef;
import dev.flashsale.operator.crd.FlashSale;
import dev.flashsale.operator.crd.FlashSaleSpec;
import dev.flashsale.operator.crd.FlashSaleStatus;
import dev.flashsale.operator.crd.GoDuration;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.javaoperatorsdk.operator.api.config.informer.FieldSelector;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.IndexedResourceCache;
import io.javaoperatorsdk.operator.api.reconciler.dependent.RecentOperationCacheFiller;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.PrimaryToSecondaryMapper;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.ObjIntConsumer;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies spec.scaling: while at least one sale is in its scaling window (from startTime - leadTime
 * until it ends), sale-api runs at least the largest scaling.replicas among them. When sale-api has a
 * HorizontalPodAutoscaler of the Deployment's name, its minReplicas is raised (capped at its
 * maxReplicas, the platform's cost ceiling) so that the HPA keeps scaling above it; otherwise the
 * Deployment's replicas. The value from before is kept in an annotation on that object and restored
 * once no sale needs it. Several sales share one sale-api, so the floor is computed over all of them;
 * the annotation also makes this survive an operator restart or a change of leader.
 * <p>
 * The Deployment and the HPA are secondary resources: informers keep them (JOSDK
 * {@link InformerEventSource}s), and a change of what this reads of them reconciles the sales that
 * need the floor, so a Helm upgrade or a {@code kubectl scale} that lowers it mid-sale is undone.
 */
final class SaleApiScaler {

    static final String ORIGINAL_REPLICAS = "flashsale.dev/original-replicas";
    static final String SCALED_FOR = "flashsale.dev/scaled-for";
    private static final Logger log = LoggerFactory.getLogger(SaleApiScaler.class);

    /** What changed, for an Event on the sale whose reconciliation made the change. */
    record Change(String target, int from, int to, boolean restored) {
        String describe() {
            return "sale-api " + target + (restored ? " restored to " : " raised to ") + to + " (was " + from + ")";
        }
    }

    /** Where sale-api's floor lives on one kind of object, and its ceiling there. */
    private record Kind<T extends HasMetadata>(Class<T> type, String field, ToIntFunction<T> floor,
                                               ObjIntConsumer<T> setFloor, ToIntFunction<T> ceiling) {
        /** What the scaler reads of an object: other changes (status, rollouts) reconcile nothing. */
        List<Object> read(T object) {
            return Arrays.asList(floor.applyAsInt(object), ceiling.applyAsInt(object),
                    annotations(object).get(ORIGINAL_REPLICAS));
        }
    }

    private static final Kind<HorizontalPodAutoscaler> AUTOSCALER = new Kind<>(HorizontalPodAutoscaler.class,
            "minReplicas", h -> Optional.ofNullable(h.getSpec().getMinReplicas()).orElse(1),
            (h, n) -> h.getSpec().setMinReplicas(n), h -> h.getSpec().getMaxReplicas());
    private static final Kind<Deployment> DEPLOYMENT = new Kind<>(Deployment.class,
            "replicas", d -> Optional.ofNullable(d.getSpec().getReplicas()).orElse(1),
            (d, n) -> d.getSpec().setReplicas(n), d -> Integer.MAX_VALUE);

    private final DeploymentRef target;
    private final Clock clock;
    /** The warning about a missing sale-api is logged once until it appears, not on every reconciliation. */
    private boolean missingLogged;

    SaleApiScaler(DeploymentRef target, Clock clock) {
        this.target = target;
        this.clock = clock;
    }

    /**
     * Informers of the sale-api Deployment and its HPA: in their namespace, and of that one name only
     * (a field selector, so the Role's resourceNames can allow list and watch).
     */
    List<EventSource<?, FlashSale>> eventSources(EventSourceContext<FlashSale> context) {
        return List.of(informer(DEPLOYMENT, context), informer(AUTOSCALER, context));
    }

    private <T extends HasMetadata> InformerEventSource<T, FlashSale> informer(Kind<T> kind,
                                                                              EventSourceContext<FlashSale> context) {
        ResourceID saleApi = new ResourceID(target.name(), target.namespace());
        PrimaryToSecondaryMapper<FlashSale> everySaleSharesIt = sale -> Set.of(saleApi);
        return new InformerEventSource<>(InformerEventSourceConfiguration.from(kind.type(), FlashSale.class)
                .withNamespaces(target.namespace())
                .withFieldSelector(new FieldSelector(new FieldSelector.Field("metadata.name", target.name())))
                .withPrimaryToSecondaryMapper(everySaleSharesIt)
                .withSecondaryToPrimaryMapper(object -> salesThatNeed(object, context.getPrimaryCache()))
                .withOnUpdateFilter((now, before) -> !kind.read(now).equals(kind.read(before)))
                .build(), context);
    }

    /**
     * The sales a change of the Deployment or HPA matters to: those in their scaling window (the floor
     * is applied again), and the one it was last scaled for (which restores it when no sale needs it).
     */
    private Set<ResourceID> salesThatNeed(HasMetadata object, IndexedResourceCache<FlashSale> sales) {
        Instant now = clock.instant();
        String scaledFor = annotations(object).get(SCALED_FOR);
        return sales.list().filter(s -> wantsScaling(s, now) || reference(s).equals(scaledFor))
                .map(ResourceID::fromResource).collect(Collectors.toSet());
    }

    /** Whether a sale wants sale-api scaled at {@code now}; {@code ended} is the freshest knowledge of its end. */
    static boolean inWindow(FlashSale sale, boolean ended, Instant now) {
        FlashSaleSpec spec = sale.getSpec();
        if (spec.getScaling() == null || ended || sale.isMarkedForDeletion() || Boolean.TRUE.equals(spec.getCancelled())) {
            return false;
        }
        Instant start = Times.parse(spec.getStartTime());
        Instant from = start.minus(GoDuration.parse(Times.leadTime(spec.getScaling())));
        return !now.isBefore(from) && now.isBefore(Times.parse(spec.getEndTime()));
    }

    /**
     * A sale judged by its status; sales that never made it into Redis (invalid, or losing a name
     * conflict) do not scale anything.
     */
    private static boolean wantsScaling(FlashSale sale, Instant now) {
        FlashSaleStatus status = sale.getStatus();
        return sale.getSpec() != null && status != null
                && Conditions.isTrue(status.getConditions(), Conditions.STOCK_INITIALIZED)
                && inWindow(sale, status.getPhase() == FlashSaleStatus.Phase.Ended, now);
    }

    /**
     * Recomputes sale-api's replica floor from every known sale and applies it to the HPA, else to the
     * Deployment, as the informers have them. {@code current} is the sale being reconciled, judged by
     * {@code currentEnded} (fresh from Redis) instead of its possibly stale status.
     */
    synchronized Optional<Change> reconcile(Context<FlashSale> context, FlashSale current, boolean currentEnded,
                                            Instant now) {
        OptionalInt desired = context.getPrimaryCache().list()
                .filter(s -> s.getMetadata().getUid().equals(current.getMetadata().getUid())
                        ? inWindow(current, currentEnded, now) : wantsScaling(s, now))
                .mapToInt(s -> s.getSpec().getScaling().getReplicas())
                .max();
        Integer want = desired.isPresent() ? desired.getAsInt() : null;
        Optional<HorizontalPodAutoscaler> autoscaler = context.getSecondaryResource(HorizontalPodAutoscaler.class);
        Optional<Deployment> deployment = context.getSecondaryResource(Deployment.class);
        if (autoscaler.isEmpty() && deployment.isEmpty()) {
            if (want != null && !missingLogged) {
                log.warn("sale-api Deployment {} not found: spec.scaling is not applied", target);
                missingLogged = true;
            }
            return Optional.empty();
        }
        missingLogged = false;
        Optional<Change> change = autoscaler.isPresent() ? apply(AUTOSCALER, autoscaler.get(), want, current, context)
                : apply(DEPLOYMENT, deployment.get(), want, current, context);
        change.ifPresent(c -> log.info("{}{}", c.describe(), c.restored() ? "" : " for " + reference(current)));
        return change;
    }

    /** Raises the floor of {@code object} to {@code want} (at most its ceiling), or restores it when {@code want} is null. */
    private <T extends HasMetadata> Optional<Change> apply(Kind<T> kind, T object, Integer want, FlashSale current,
                                                           Context<FlashSale> context) {
        String what = kind.type().getSimpleName() + " " + target + " " + kind.field();
        int was = kind.floor().applyAsInt(object);
        String original = annotations(object).get(ORIGINAL_REPLICAS);
        if (want == null) {
            if (original == null) {
                return Optional.empty();
            }
            int restore = Integer.parseInt(original);
            write(kind, object, context, o -> {
                Map<String, String> a = new HashMap<>(annotations(o));
                a.remove(ORIGINAL_REPLICAS);
                a.remove(SCALED_FOR);
                o.getMetadata().setAnnotations(a);
                kind.setFloor().accept(o, restore);
                return o;
            });
            return restore == was ? Optional.empty() : Optional.of(new Change(what, was, restore, true));
        }
        int ceiling = kind.ceiling().applyAsInt(object);
        int floor = Math.min(want, ceiling);
        // a floor: a value raised further by someone else is theirs
        if (was >= floor && original != null) {
            return Optional.empty();
        }
        if (floor < want) {
            log.warn("spec.scaling.replicas {} of {} is above the {} ceiling {}: raised to {} only", want,
                    reference(current), what, ceiling, floor);
        }
        T written = write(kind, object, context, o -> {
            Map<String, String> a = new HashMap<>(annotations(o));
            a.putIfAbsent(ORIGINAL_REPLICAS, Integer.toString(kind.floor().applyAsInt(o)));
            a.put(SCALED_FOR, reference(current));
            o.getMetadata().setAnnotations(a);
            kind.setFloor().accept(o, Math.max(kind.floor().applyAsInt(o), floor));
            return o;
        });
        int now = kind.floor().applyAsInt(written);
        return now == was ? Optional.empty() : Optional.of(new Change(what, was, now, false));
    }

    /**
     * Edits the live object, then hands the result to the informer, which may not have seen it yet:
     * the next reconciliation reads what was written, and this change of our own reconciles nothing.
     */
    private <T extends HasMetadata> T write(Kind<T> kind, T cached, Context<FlashSale> context, UnaryOperator<T> edit) {
        T written = context.getClient().resources(kind.type()).inNamespace(target.namespace()).withName(target.name())
                .edit(edit);
        @SuppressWarnings("unchecked")
        RecentOperationCacheFiller<T> informer =
                (RecentOperationCacheFiller<T>) context.eventSourceRetriever().getEventSourceFor(kind.type());
        informer.handleRecentResourceUpdate(ResourceID.fromResource(written), written, cached);
        return written;
    }

    private static Map<String, String> annotations(HasMetadata object) {
        return Optional.ofNullable(object.getMetadata().getAnnotations()).orElseGet(Map::of);
    }

    private static String reference(FlashSale sale) {
        return sale.getMetadata().getNamespace() + "/" + sale.getMetadata().getName();
    }
}
