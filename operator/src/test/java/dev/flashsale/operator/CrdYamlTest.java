package dev.flashsale.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CRD YAML checked in for kubectl, Argo CD and Helm must be the one generated from the Java types
 * by this build, as docs/contract/flashsale-resource.md promises. After changing the types: cp operator/target/classes/META-INF/fabric8/*.yml crds/
 * and helm/flashsale/crds/.
 */
class CrdYamlTest {

    @ParameterizedTest
    @ValueSource(strings = {"../crds/flashsales.flashsale.dev-v1.yml", "../helm/flashsale/crds/flashsales.flashsale.dev-v1.yml"})
    void committedCrdIsTheGeneratedOne(String committed) throws IOException {
        assertThat(Files.readString(Path.of(committed)))
                .as("%s differs from the generated %s; copy the generated file over it", committed, TestCluster.GENERATED_CRD)
                .isEqualTo(Files.readString(TestCluster.GENERATED_CRD));
    }
}
