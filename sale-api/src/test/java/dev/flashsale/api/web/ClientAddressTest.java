package dev.flashsale.api.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

/** Which address a request is counted under: the TCP peer unless a trusted proxy tells otherwise. */
class ClientAddressTest {

    private static final ClientAddress BEHIND_PROXIES = new ClientAddress(
            List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("192.168.1.1"), Cidr.parse("fd00:1::/32")),
            ClientAddress.Header.X_FORWARDED_FOR);
    private static final ClientAddress NO_PROXIES = new ClientAddress(List.of(), ClientAddress.Header.X_FORWARDED_FOR);

    private static String resolve(ClientAddress resolver, String peer, String... headerLines) {
        HttpHeaders headers = new HttpHeaders();
        for (String line : headerLines) {
            int colon = line.indexOf(':');
            headers.add(line.substring(0, colon), line.substring(colon + 1).strip());
        }
        return resolver.resolve(Cidr.literal(peer), headers).getHostAddress();
    }

    @Test
    void withoutTrustedProxiesNoHeaderIsBelieved() {
        assertThat(resolve(NO_PROXIES, "203.0.113.5", "X-Forwarded-For: 198.51.100.1")).isEqualTo("203.0.113.5");
        assertThat(resolve(NO_PROXIES, "10.0.0.1", "Forwarded: for=198.51.100.1")).isEqualTo("10.0.0.1");
    }

    @Test
    void anUntrustedPeerIsTheClientWhateverItSends() {
        assertThat(resolve(BEHIND_PROXIES, "203.0.113.5", "X-Forwarded-For: 10.0.0.9, 198.51.100.1"))
                .isEqualTo("203.0.113.5");
    }

    @Test
    void aTrustedPeerIsBelievedUpToTheRightMostUntrustedEntry() {
        // the proxy appended what it saw; to the left is whatever the client claimed
        assertThat(resolve(BEHIND_PROXIES, "10.1.2.3", "X-Forwarded-For: 1.2.3.4, 203.0.113.7")).isEqualTo("203.0.113.7");
        // several trusted hops are skipped, from the right
        assertThat(resolve(BEHIND_PROXIES, "10.1.2.3", "X-Forwarded-For: 6.6.6.6, 203.0.113.7, 192.168.1.1, 10.9.9.9"))
                .isEqualTo("203.0.113.7");
        // several header lines are one list, in order
        assertThat(resolve(BEHIND_PROXIES, "10.1.2.3", "X-Forwarded-For: 6.6.6.6", "X-Forwarded-For: 203.0.113.7, 10.0.0.5"))
                .isEqualTo("203.0.113.7");
        // a host in the list that is not a trusted one is the client, even a private address
        assertThat(resolve(BEHIND_PROXIES, "10.1.2.3", "X-Forwarded-For: 203.0.113.7, 192.168.1.2")).isEqualTo("192.168.1.2");
    }

    @Test
    void withoutAHeaderATrustedPeerIsItself() {
        assertThat(resolve(BEHIND_PROXIES, "10.1.2.3")).isEqualTo("10.1.2.3");
        assertThat(resolve(BEHIND_PROXIES, "10.1.2.3", "X-Forwarded-For: ")).isEqualTo("10.1.2.3");
    }

    @Test
    void onlyTrustedHopsMeansTheFarthestOne() {
        assertThat(resolve(BEHIND_PROXIES, "10.1.2.3", "X-Forwarded-For: 10.7.7.7, 10.8.8.8")).isEqualTo("10.7.7.7");
    }

    @Test
    void anEntryThatIsNoAddressEndsTheChainAtTheLastKnownHop() {
        assertThat(resolve(BEHIND_PROXIES, "10.1.2.3", "X-Forwarded-For: 203.0.113.7, unknown")).isEqualTo("10.1.2.3");
        assertThat(resolve(BEHIND_PROXIES, "10.1.2.3", "X-Forwarded-For: 203.0.113.7, evil.example.com, 10.0.0.5"))
                .isEqualTo("10.0.0.5");
        assertThat(resolve(BEHIND_PROXIES, "10.1.2.3", "X-Forwarded-For: 300.1.1.1")).isEqualTo("10.1.2.3");
    }

    @Test
    void portsAreIgnored() {
        assertThat(resolve(BEHIND_PROXIES, "10.1.2.3", "X-Forwarded-For: 203.0.113.7:51234")).isEqualTo("203.0.113.7");
        assertThat(resolve(BEHIND_PROXIES, "10.1.2.3", "X-Forwarded-For: [2001:db8::7]:443")).isEqualTo("2001:db8:0:0:0:0:0:7");
    }

    @Test
    void ipv6PeersProxiesAndClients() {
        assertThat(resolve(BEHIND_PROXIES, "fd00:1::53", "X-Forwarded-For: 2001:db8::1")).isEqualTo("2001:db8:0:0:0:0:0:1");
        assertThat(resolve(BEHIND_PROXIES, "fd00:1::53", "X-Forwarded-For: 2001:db8::1, fd00:1:ffff::1"))
                .isEqualTo("2001:db8:0:0:0:0:0:1");
        // outside fd00:1::/32: not trusted
        assertThat(resolve(BEHIND_PROXIES, "fd00:2::53", "X-Forwarded-For: 2001:db8::1")).isEqualTo("fd00:2:0:0:0:0:0:53");
        // one address, one bucket, however it is written
        assertThat(resolve(BEHIND_PROXIES, "10.0.0.1", "X-Forwarded-For: 2001:DB8:0:0::1"))
                .isEqualTo(resolve(BEHIND_PROXIES, "10.0.0.1", "X-Forwarded-For: 2001:db8::1"));
    }

    @Test
    void ipv4MappedAddressesAreTheirIpv4Address() {
        assertThat(resolve(BEHIND_PROXIES, "::ffff:10.1.2.3", "X-Forwarded-For: ::ffff:203.0.113.7")).isEqualTo("203.0.113.7");
    }

    @Test
    void rfc7239ForwardedWhenThatIsTheProxiesHeader() {
        ClientAddress forwarded = new ClientAddress(List.of(Cidr.parse("10.0.0.0/8")), ClientAddress.Header.FORWARDED);
        assertThat(resolve(forwarded, "10.0.0.2", "Forwarded: for=6.6.6.6, for=203.0.113.60;proto=https;by=10.0.0.2"))
                .isEqualTo("203.0.113.60");
        assertThat(resolve(forwarded, "10.0.0.2", "Forwarded: for=\"[2001:db8:cafe::17]:4711\"")).isEqualTo("2001:db8:cafe:0:0:0:0:17");
        assertThat(resolve(forwarded, "10.0.0.2", "Forwarded: For=\"203.0.113.43:80\";proto=http")).isEqualTo("203.0.113.43");
        // obfuscated identifiers and elements without for= cannot be checked
        assertThat(resolve(forwarded, "10.0.0.2", "Forwarded: for=203.0.113.43, for=_hidden")).isEqualTo("10.0.0.2");
        assertThat(resolve(forwarded, "10.0.0.2", "Forwarded: for=203.0.113.43, proto=https")).isEqualTo("10.0.0.2");
        // the header the proxies do not maintain is not read: a client may have sent it
        assertThat(resolve(forwarded, "10.0.0.2", "X-Forwarded-For: 6.6.6.6")).isEqualTo("10.0.0.2");
        assertThat(resolve(BEHIND_PROXIES, "10.0.0.2", "Forwarded: for=6.6.6.6")).isEqualTo("10.0.0.2");
    }

    @Test
    void cidrRanges() {
        Cidr v4 = Cidr.parse("172.16.0.0/12");
        assertThat(v4.contains(Cidr.literal("172.16.0.0"))).isTrue();
        assertThat(v4.contains(Cidr.literal("172.31.255.255"))).isTrue();
        assertThat(v4.contains(Cidr.literal("172.32.0.0"))).isFalse();
        assertThat(v4.contains(Cidr.literal("172.15.255.255"))).isFalse();
        assertThat(v4.contains(Cidr.literal("::ffff:172.20.1.1"))).isTrue();
        assertThat(v4.contains(Cidr.literal("2001:db8::1"))).isFalse();
        assertThat(Cidr.parse("0.0.0.0/0").contains(Cidr.literal("8.8.8.8"))).isTrue();
        assertThat(Cidr.parse("10.1.2.3/8")).isEqualTo(Cidr.parse("10.0.0.0/8"));
        assertThat(Cidr.parse("10.1.2.3").contains(Cidr.literal("10.1.2.3"))).isTrue();
        assertThat(Cidr.parse("10.1.2.3").contains(Cidr.literal("10.1.2.4"))).isFalse();
        assertThat(Cidr.parse("10.1.2.128/25").contains(Cidr.literal("10.1.2.200"))).isTrue();
        assertThat(Cidr.parse("10.1.2.128/25").contains(Cidr.literal("10.1.2.127"))).isFalse();

        Cidr v6 = Cidr.parse("2001:db8:abcd::/47"); // = 2001:db8:abcc::/47
        assertThat(v6.contains(Cidr.literal("2001:db8:abcd:ffff::1"))).isTrue();
        assertThat(v6.contains(Cidr.literal("2001:db8:abcc::1"))).isTrue();
        assertThat(v6.contains(Cidr.literal("2001:db8:abcb::1"))).isFalse();
        assertThat(v6.contains(Cidr.literal("2001:db8:abce::1"))).isFalse();
        assertThat(v6.contains(Cidr.literal("10.0.0.1"))).isFalse();
        assertThat(Cidr.parse("::/0").contains(Cidr.literal("2001:db8::1"))).isTrue();
        assertThat(Cidr.parse("::1/128").contains(Cidr.literal("::1"))).isTrue();
        assertThat(Cidr.parse("[2001:db8::1]").contains(Cidr.literal("2001:db8::1"))).isTrue();
        assertThat(v6.toString()).isEqualTo("2001:db8:abcc:0:0:0:0:0/47");
    }

    @Test
    void badRangesAreRefusedAtStartUp() {
        for (String bad : List.of("", "10.0.0.0/33", "10.0.0/8", "256.0.0.0/8", "::/129", "example.com", "10.0.0.0/-1",
                "10.0.0.0/8/8", "fe80::1%eth0", "1:2:3:4:5:6:7:8:9")) {
            assertThatThrownBy(() -> Cidr.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void literalsAreNeverLookedUp() {
        assertThat(Cidr.literal("localhost")).isNull();
        assertThat(Cidr.literal("1.2.3")).isNull();
        assertThat(Cidr.literal("::g")).isNull();
        InetAddress a = Cidr.literal(" 192.0.2.1 ");
        assertThat(a).isNotNull();
        assertThat(a.getHostAddress()).isEqualTo("192.0.2.1");
    }
}
