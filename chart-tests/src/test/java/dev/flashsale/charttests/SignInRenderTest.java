package dev.flashsale.charttests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flashsale.charttests.Chart.Container;
import dev.flashsale.charttests.Chart.Manifests;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * saleApi.auth as sale-api's environment (the names application.yml and FlashsaleProperties.Auth
 * read), and the NetworkPolicy's way to the identity provider.
 */
class SignInRenderTest {

    private static final String SALE_API = "flashsale-sale-api";
    private static final String ISSUER = "https://login.example.com/realms/flashsale";
    private static final List<String> AUTH_ENV = List.of("FLASHSALE_AUTH_MODE", "FLASHSALE_AUTH_ISSUER_URI",
            "SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_JWK_SET_URI", "FLASHSALE_AUTH_AUDIENCE", "FLASHSALE_AUTH_SHOPPER_CLAIM",
            "FLASHSALE_AUTH_CLIENT_ID", "FLASHSALE_AUTH_GATEWAYS", "FLASHSALE_AUTH_HEADER");

    @Test
    void oidcByDefault() {
        assertThat(authEnv(Chart.defaults())).containsExactly(
                Map.entry("FLASHSALE_AUTH_MODE", "oidc"),
                Map.entry("FLASHSALE_AUTH_ISSUER_URI", ISSUER),
                Map.entry("FLASHSALE_AUTH_AUDIENCE", "flashsale-api"),
                Map.entry("FLASHSALE_AUTH_SHOPPER_CLAIM", "sub"),
                Map.entry("FLASHSALE_AUTH_CLIENT_ID", "flashsale-spa"));
    }

    @Test
    void oidcWithKeysAtAnInternalAddressAndWithoutAudience() {
        Map<String, String> env = authEnv(Chart.defaults()
                .set("saleApi.auth.jwkSetUri", "http://keycloak.auth.svc:8080/realms/flashsale/protocol/openid-connect/certs")
                .set("saleApi.auth.audience", "").set("saleApi.auth.shopperClaim", "oid").set("saleApi.auth.clientId", "shop"));
        assertThat(env).containsEntry("FLASHSALE_AUTH_ISSUER_URI", ISSUER)
                .containsEntry("SPRING_SECURITY_OAUTH2_RESOURCESERVER_JWT_JWK_SET_URI",
                        "http://keycloak.auth.svc:8080/realms/flashsale/protocol/openid-connect/certs")
                // rendered empty, not left out: sale-api's own default (flashsale-api) would apply then
                .containsEntry("FLASHSALE_AUTH_AUDIENCE", "")
                .containsEntry("FLASHSALE_AUTH_SHOPPER_CLAIM", "oid")
                .containsEntry("FLASHSALE_AUTH_CLIENT_ID", "shop");
    }

    @Test
    void trustedHeaderNamesTheGatewaysAndTheHeader() {
        Map<String, String> env = authEnv(Chart.defaults().set("saleApi.auth.mode", "trusted-header")
                .set("saleApi.auth.gateways[0]", "10.42.0.0/16").set("saleApi.auth.gateways[1]", "fd00:42::/64")
                .set("saleApi.auth.header", "X-Auth-Request-User"));
        assertThat(env).containsExactly(
                Map.entry("FLASHSALE_AUTH_MODE", "trusted-header"),
                Map.entry("FLASHSALE_AUTH_GATEWAYS", "10.42.0.0/16,fd00:42::/64"),
                Map.entry("FLASHSALE_AUTH_HEADER", "X-Auth-Request-User"));
    }

    @Test
    void noneOnlyWhenExplicitlyAllowed() {
        Chart none = Chart.defaults().set("saleApi.auth.mode", "none");
        assertThatThrownBy(none::render).hasMessageContaining("saleApi.auth.mode=none lets anyone buy as anyone")
                .hasMessageContaining("X-User-Id").hasMessageContaining("saleApi.auth.allowUnauthenticatedShoppers=true");
        assertThat(authEnv(none.set("saleApi.auth.allowUnauthenticatedShoppers", true))).containsExactly(
                Map.entry("FLASHSALE_AUTH_MODE", "none"),
                Map.entry("FLASHSALE_AUTH_HEADER", "X-User-Id"));
    }

    /** The chart's policies restrict ingress only unless egress is turned on: the issuer stays reachable. */
    @Test
    void egressIsOpenUnlessRestricted() {
        Map<String, Object> policy = Chart.defaults().set("networkPolicy.enabled", true).manifests()
                .get("NetworkPolicy", SALE_API);
        assertThat(Yaml.<List<String>>at(policy, "spec.policyTypes")).containsExactly("Ingress");
        assertThat(Yaml.<Object>at(policy, "spec.egress")).isNull();
    }

    @Test
    void restrictedEgressReachesDnsTheServicesAndTheIssuer() {
        Map<String, Object> policy = Chart.production().manifests().get("NetworkPolicy", SALE_API);
        assertThat(Yaml.<List<String>>at(policy, "spec.policyTypes")).containsExactly("Ingress", "Egress");
        assertThat(egress(policy)).containsExactly(
                "UDP/53 TCP/53 to any",
                "TCP/5432 TCP/6379 TCP/9093 to any",
                "TCP/443 to any");
    }

    @Test
    void issuerAtItsOwnPortOrKeysAtAnInternalAddress() {
        Chart restricted = Chart.defaults().set("networkPolicy.enabled", true).set("networkPolicy.egress.enabled", true)
                .set("saleApi.auth.issuerUri", "https://login.example.com:8443/realms/flashsale");
        assertThat(egress(policy(restricted))).last().isEqualTo("TCP/443 TCP/8443 to any");
        // with jwkSetUri no discovery happens: only the keys' address, here Keycloak's namespace
        restricted.set("saleApi.auth.jwkSetUri", "http://keycloak.auth.svc:8080/realms/flashsale/protocol/openid-connect/certs")
                .set("networkPolicy.egress.identityProviderTo[0].namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name", "auth");
        assertThat(egress(policy(restricted))).last()
                .isEqualTo("TCP/8080 to [{namespaceSelector={matchLabels={kubernetes.io/metadata.name=auth}}}]");
        assertThat(egress(policy(restricted.set("saleApi.auth.jwkSetUri", "http://keycloak.auth.svc/certs")))).last()
                .isEqualTo("TCP/80 to [{namespaceSelector={matchLabels={kubernetes.io/metadata.name=auth}}}]");
    }

    @Test
    void noIdentityProviderRuleWithoutOidcButExtraRules() {
        Chart gateway = Chart.defaults().set("networkPolicy.enabled", true).set("networkPolicy.egress.enabled", true)
                .set("saleApi.auth.mode", "trusted-header").set("saleApi.auth.gateways[0]", "10.42.0.0/16")
                .set("redis.urlSecret.name", "redis-sentinel")
                .set("networkPolicy.egress.extra[0].ports[0].port", 26379);
        // Redis's port is unknown behind urlSecret: extra names it
        assertThat(egress(policy(gateway))).containsExactly(
                "UDP/53 TCP/53 to any",
                "TCP/5432 TCP/9092 to any",
                "26379 to any");
    }

    private static Map<String, Object> policy(Chart chart) {
        return chart.manifests().get("NetworkPolicy", SALE_API);
    }

    /** Each egress rule as "PROTOCOL/port ... to peers". */
    private static List<String> egress(Map<String, Object> policy) {
        return Yaml.list(policy, "spec.egress").stream().map(rule -> Yaml.list(rule, "ports").stream()
                        .map(p -> (p.get("protocol") == null ? "" : p.get("protocol") + "/") + p.get("port"))
                        .collect(Collectors.joining(" "))
                        + " to " + (rule.get("to") == null ? "any" : rule.get("to")))
                .toList();
    }

    /** The sale-api container's sign-in variables, in the order rendered. */
    private static Map<String, String> authEnv(Chart chart) {
        Manifests m = chart.manifests();
        Container api = m.containers().stream().filter(c -> c.workload().equals(SALE_API)).findFirst().orElseThrow();
        return api.env().stream().filter(e -> AUTH_ENV.contains((String) e.get("name")))
                .collect(Collectors.toMap(e -> (String) e.get("name"), e -> String.valueOf(e.get("value")),
                        (a, b) -> { throw new AssertionError("twice: " + a); }, LinkedHashMap::new));
    }
}
