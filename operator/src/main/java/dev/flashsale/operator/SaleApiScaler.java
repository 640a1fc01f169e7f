package dev.flashsale.operator;

import dev.flashsale.operator.OperatorConfig.DeploymentRef;
import dev.flashsale.operator.crd.FlashSale;
import dev.flashsale.operator.crd.FlashSaleSpec;
import dev.flashsale.operator.crd.FlashSaleStatus;
import dev.flashsale.operator.crd.GoDuration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies spec.scaling: while at least one sale is in its scaling window (from startTime - leadTime
 * until it ends), the sale-api Deployment runs at least the largest scaling.replicas among them; the
 * replica count it had before is kept in an annotation on the Deployment and restored once no sale
 * needs it. Several sales share one Deployment, so the desired count is computed over all of them.
 * The annotation also makes this survive an operator restart or a change of leader.
 */
final class SaleApiScaler {

    static final String ORIGINAL_REPLICAS = "flashsale.dev/original-replicas";
    static final String SCALED_FOR = "flashsale.dev/scaled-for";
    private static final Logger log = LoggerFactory.getLogger(SaleApiScaler.class);

    /** What changed, for an Event on the sale whose reconciliation made the change. */
    record Change(String deployment, int from, int to, boolean restored) {
    }

    private final KubernetesClient client;
    private final DeploymentRef target;
    /** The desired count last applied (null: none), valid once {@code known}; saves a GET per reconciliation. */
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
     * Recomputes the Deployment's replicas from every known sale. {@code current} is the sale being
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
        RollableScalableResource<Deployment> resource =
                client.apps().deployments().inNamespace(target.namespace()).withName(target.name());
        Deployment deployment = resource.get();
        if (deployment == null) {
            // said once per change of the desired count, not on every reconciliation
            log.warn("sale-api Deployment {} not found: spec.scaling is not applied", target);
            remember(want);
            return Optional.empty();
        }
        Map<String, String> annotations = Optional.ofNullable(deployment.getMetadata().getAnnotations()).orElseGet(Map::of);
        int replicas = Optional.ofNullable(deployment.getSpec().getReplicas()).orElse(1);
        String original = annotations.get(ORIGINAL_REPLICAS);
        Optional<Change> change = Optional.empty();
        if (want != null) {
            int base = original == null ? replicas : Integer.parseInt(original);
            int scaled = Math.max(base, want);
            if (scaled != replicas || original == null) {
                resource.edit(d -> {
                    Map<String, String> a = new HashMap<>(Optional.ofNullable(d.getMetadata().getAnnotations()).orElseGet(Map::of));
                    a.putIfAbsent(ORIGINAL_REPLICAS, Integer.toString(base));
                    a.put(SCALED_FOR, current.getMetadata().getNamespace() + "/" + current.getMetadata().getName());
                    d.getMetadata().setAnnotations(a);
                    d.getSpec().setReplicas(scaled);
                    return d;
                });
                change = Optional.of(new Change(target.toString(), replicas, scaled, false));
            }
        } else if (original != null) {
            int restore = Integer.parseInt(original);
            resource.edit(d -> {
                Map<String, String> a = new HashMap<>(d.getMetadata().getAnnotations());
                a.remove(ORIGINAL_REPLICAS);
                a.remove(SCALED_FOR);
                d.getMetadata().setAnnotations(a);
                d.getSpec().setReplicas(restore);
                return d;
            });
            change = Optional.of(new Change(target.toString(), replicas, restore, true));
        }
        remember(want);
        change.ifPresent(c -> log.info("sale-api {} scaled from {} to {} replicas{}", c.deployment(), c.from(), c.to(),
                c.restored() ? " (restored)" : " for " + current.getMetadata().getName()));
        return change;
    }

    private void remember(Integer want) {
        known = true;
        applied = want;
    }
}
