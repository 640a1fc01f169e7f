package dev.flashsale.operator;

import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * {@code java -jar flashsale-operator.jar}: configuration from the environment (docs/operator.md), the
 * Kubernetes connection from KUBECONFIG or the pod's service account.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        FlashSaleOperator operator = new FlashSaleOperator(OperatorConfig.fromEnv(System.getenv()),
                new KubernetesClientBuilder().build());
        Runtime.getRuntime().addShutdownHook(new Thread(operator::close, "operator-shutdown"));
        operator.start();
    }
}
