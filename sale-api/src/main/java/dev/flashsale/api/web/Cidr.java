package dev.flashsale.api.web;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 address range in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}; a
 * bare address is a range of one). Addresses are parsed as literals only, never looked up in DNS;
 * an IPv4-mapped IPv6 address ({@code ::ffff:10.1.2.3}) is the IPv4 address it maps.
 */
public record Cidr(byte[] network, int prefix) {

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:]*:[0-9a-fA-F:.]*");

    /** @throws IllegalArgumentException for anything that is not an address or range literal */
    public static Cidr parse(String text) {
        String s = text.strip();
        int slash = s.indexOf('/');
        InetAddress address = literal(slash < 0 ? s : s.substring(0, slash));
        if (address == null) {
            throw new IllegalArgumentException("not an IP address range: '" + text + "'");
        }
        byte[] bytes = address.getAddress();
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = s.substring(slash + 1);
            if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > bits) {
                throw new IllegalArgumentException("bad prefix length in '" + text + "' (0.." + bits + ")");
            }
            prefix = Integer.parseInt(p);
        }
        // host bits are ignored: 10.1.2.3/8 is 10.0.0.0/8
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] &= mask(prefix, i);
        }
        return new Cidr(bytes, prefix);
    }

    public boolean contains(InetAddress address) {
        byte[] a = normalize(address).getAddress();
        if (a.length != network.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if ((a[i] & mask(prefix, i)) != network[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte mask(int prefix, int byteIndex) {
        int bits = Math.max(0, Math.min(8, prefix - byteIndex * 8));
        return (byte) (0xff << (8 - bits));
    }

    /**
     * An IPv4 or IPv6 literal (IPv6 optionally in brackets), or null for anything else, including
     * host names (which would need DNS) and IPv6 zone ids.
     */
    public static InetAddress literal(String text) {
        String s = text.strip();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        try {
            var v4 = IPV4.matcher(s);
            if (v4.matches()) {
                byte[] b = new byte[4];
                for (int i = 0; i < 4; i++) {
                    int octet = Integer.parseInt(v4.group(i + 1));
                    if (octet > 255) {
                        return null;
                    }
                    b[i] = (byte) octet;
                }
                return InetAddress.getByAddress(b);
            }
            if (IPV6.matcher(s).matches()) {
                // a literal with a colon is parsed, not resolved
                return normalize(InetAddress.getByName(s));
            }
        } catch (UnknownHostException e) {
            return null;
        }
        return null;
    }

    /** The IPv4 address an IPv4-mapped IPv6 address stands for; anything else unchanged. */
    public static InetAddress normalize(InetAddress address) {
        if (address instanceof Inet6Address) {
            try {
                // getByAddress turns ::ffff:a.b.c.d into an Inet4Address and drops any scope id
                return InetAddress.getByAddress(address.getAddress());
            } catch (UnknownHostException e) {
                return address;
            }
        }
        return address;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
        } catch (UnknownHostException e) {
            return "?/" + prefix;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && java.util.Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Arrays.hashCode(network) + prefix;
    }
}
