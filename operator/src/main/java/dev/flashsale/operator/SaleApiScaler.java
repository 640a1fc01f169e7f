package dev.flashsale.operator;

import dev.flashsale.operator.OperatorConfig.DeploymentRef;
import dev.flashsale.operator.crd.FlashSale;
import dev.flashsale.operator.crd.FlashSaleSpec;
import dev.flashsale.operator.crd.FlashSaleStatus;
import dev.flashsale.operator.crd.GoDuration;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.ObjIntConsumer;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;
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
 */
final class SaleApiScaler {

    static final String ORIGINAL_REPLICAS = "flashsale.dev/original-replicas";
    static final String SCALED_FOR = "flashsale.dev/scaled-for";
    private static final Logger log = LoggerFactory.getLogger(SaleApiScaler.class);

    /** What changed, for an Event on the sale whose reconciliation made the change. */
    record Change(String target, int from, int to, boolean restored) {
    }

    private final KubernetesClient client;
    private final DeploymentRef target;
    /** The floor last applied (null: none), valid once {@code known}; saves GETs per reconciliation. */
    private boolean known;
    private Integer applied;

    SaleApiScaler(KubernetesClient client, DeploymentRef target) {
        this.client = client;
        this.target = target;
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

    /** Sales that never made it into Redis (invalid, or losing a name conflict) do not scale anything. */
    private static boolean inRedis(FlashSale sale) {
        return sale.getStatus() != null && Conditions.isTrue(sale.getStatus().getConditions(), Conditions.STOCK_INITIALIZED);
    }

    /**
     * Recomputes sale-api's replica floor from every known sale. {@code current} is the sale being
     * reconciled, judged by {@code currentEnded} (fresh from Redis) instead of its possibly stale status.
     */
    synchronized Optional<Change> reconcile(Stream<FlashSale> sales, FlashSale current, boolean currentEnded, Instant now) {
        OptionalInt desired = sales
                .filter(s -> s.getSpec() != null)
                .filter(s -> s.getMetadata().getUid().equals(current.getMetadata().getUid())
                        ? inWindow(current, currentEnded, now)
                        : inRedis(s) && inWindow(s, s.getStatus().getPhase() == FlashSaleStatus.Phase.Ended, now))
                .mapToInt(s -> s.getSpec().getScaling().getReplicas())
                .max();
        Integer want = desired.isPresent() ? desired.getAsInt() : null;
        if (known && Objects.equals(applied, want)) {
            return Optional.empty();
        }
        Optional<Change> change;
        Resource<HorizontalPodAutoscaler> hpa = client.autoscaling().v2().horizontalPodAutoscalers()
                .inNamespace(target.namespace()).withName(target.name());
        HorizontalPodAutoscaler autoscaler = hpa.get();
        if (autoscaler != null) {
            change = apply("HorizontalPodAutoscaler " + target + " minReplicas", hpa, autoscaler,
                    h -> Optional.ofNullable(h.getSpec().getMinReplicas()).orElse(1), (h, n) -> h.getSpec().setMinReplicas(n),
                    autoscaler.getSpec().getMaxReplicas(), want, current);
        } else {
            Resource<Deployment> deployment = client.apps().deployments().inNamespace(target.namespace()).withName(target.name());
            Deployment object = deployment.get();
            if (object == null) {
                // said once per change of the desired count, not on every reconciliation
                log.warn("sale-api Deployment {} not found: spec.scaling is not applied", target);
                remember(want);
                return Optional.empty();
            }
            change = apply("Deployment " + target + " replicas", deployment, object,
                    d -> Optional.ofNullable(d.getSpec().getReplicas()).orElse(1), (d, n) -> d.getSpec().setReplicas(n),
                    Integer.MAX_VALUE, want, current);
        }
        remember(want);
        change.ifPresent(c -> log.info("sale-api {} changed from {} to {}{}", c.target(), c.from(), c.to(),
                c.restored() ? " (restored)" : " for " + current.getMetadata().getName()));
        return change;
    }

    /** Raises {@code floor} of {@code object} to {@code want} (at most {@code ceiling}), or restores it when {@code want} is null. */
    private <T extends HasMetadata> Optional<Change> apply(String what, Resource<T> resource, T object, ToIntFunction<T> floor,
                                                           ObjIntConsumer<T> setFloor, int ceiling, Integer want, FlashSale current) {
        int now = floor.applyAsInt(object);
        String original = Optional.ofNullable(object.getMetadata().getAnnotations()).orElseGet(Map::of).get(ORIGINAL_REPLICAS);
        if (want != null) {
            int base = original == null ? now : Integer.parseInt(original);
            int scaled = Math.max(base, Math.min(want, ceiling));
            if (scaled < want) {
                log.warn("spec.scaling.replicas {} of {} is above the {} ceiling {}: raised to {} only", want,
                        current.getMetadata().getName(), what, ceiling, scaled);
            }
            if (scaled == now && original != null) {
                return Optional.empty();
            }
            resource.edit(o -> {
                Map<String, String> a = new HashMap<>(Optional.ofNullable(o.getMetadata().getAnnotations()).orElseGet(Map::of));
                a.putIfAbsent(ORIGINAL_REPLICAS, Integer.toString(base));
                a.put(SCALED_FOR, current.getMetadata().getNamespace() + "/" + current.getMetadata().getName());
                o.getMetadata().setAnnotations(a);
                setFloor.accept(o, scaled);
                return o;
            });
            return Optional.of(new Change(what, now, scaled, false));
        }
        if (original == null) {
            return Optional.empty();
        }
        int restore = Integer.parseInt(original);
        resource.edit(o -> {
            Map<String, String> a = new HashMap<>(o.getMetadata().getAnnotations());
            a.remove(ORIGINAL_REPLICAS);
            a.remove(SCALED_FOR);
            o.getMetadata().setAnnotations(a);
            setFloor.accept(o, restore);
            return o;
        });
        return Optional.of(new Change(what, now, restore, true));
    }

    private void remember(Integer want) {
        known = true;
        applied = want;
    }
}
