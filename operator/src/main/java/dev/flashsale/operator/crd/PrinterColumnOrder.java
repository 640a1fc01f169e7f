package dev.flashsale.operator.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Build step run right after the CRD generator (see the pom): the generator sorts printer columns by
 * JSON path and has no option to keep their declared order, so `kubectl get fs` would start with Age.
 * This puts them in the order they are declared on {@link FlashSale}, the contract's order.
 */
public final class PrinterColumnOrder {

    private PrinterColumnOrder() {
    }

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(file), CustomResourceDefinition.class);
        List<String> order = Arrays.stream(FlashSale.class.getAnnotationsByType(AdditionalPrinterColumn.class))
                .map(AdditionalPrinterColumn::name).toList();
        crd.getSpec().getVersions().forEach(v ->
                v.getAdditionalPrinterColumns().sort(Comparator.comparingInt(c -> order.indexOf(c.getName()))));
        Files.writeString(file, "# Generated from dev.flashsale.operator.crd by the fabric8 CRD generator; do not edit.\n"
                + Serialization.asYaml(crd));
    }
}
