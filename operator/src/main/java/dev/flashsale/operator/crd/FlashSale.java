package dev.flashsale.operator.crd;

import dev.flashsale.core.SaleSpec;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A flash sale declared by an admin (see docs/contract/flashsale-resource.md). The resource's name is the
 * sale id in every API path and in Redis, hence a DNS label ({@link SaleSpec#ID_PATTERN}), not the
 * longer DNS subdomain Kubernetes would otherwise allow. The CRD YAML is generated from these classes.
 */
@Group(FlashSale.GROUP)
@Version(FlashSale.VERSION)
@Kind("FlashSale")
@Plural("flashsales")
@Singular("flashsale")
@ShortNames("fs")
@Categories("flashsale")
@ValidationRule(value = "self.metadata.name.matches('" + SaleSpec.ID_PATTERN + "')",
        message = "metadata.name is the sale id: a DNS label of at most 63 characters (no dots)")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = Type.STRING)
@AdditionalPrinterColumn(name = "Stock", jsonPath = ".status.remainingStock", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Sold", jsonPath = ".status.sold", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Persisted", jsonPath = ".status.persisted", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Start", jsonPath = ".spec.startTime", type = Type.STRING)
@AdditionalPrinterColumn(name = "End", jsonPath = ".spec.endTime", type = Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
// -o wide only (priority 1), after Age as kubectl's own wide columns are
@AdditionalPrinterColumn(name = "Held", jsonPath = ".status.held", type = Type.INTEGER, priority = 1)
@AdditionalPrinterColumn(name = "Confirmed", jsonPath = ".status.confirmed", type = Type.INTEGER, priority = 1)
public class FlashSale extends CustomResource<FlashSaleSpec, FlashSaleStatus> implements Namespaced {

    public static final String GROUP = "flashsale.dev";
    public static final String VERSION = "v1alpha1";
}
