package dev.flashsale.api.web;

import dev.flashsale.api.config.FlashsaleProperties;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import reactor.netty.Connection;

/**
 * The address a request comes from, as the per-address limits must see it. It is the TCP peer,
 * unless that peer is one of {@code flashsale.trusted-proxies}: then it is the right-most entry of
 * the forwarding header ({@code flashsale.forwarded-header}) that is not itself a trusted proxy.
 * Every proxy appends the address it received the request from, so entries to the left of the
 * first untrusted one are whatever the client chose to send and are never believed. With no
 * trusted proxies (the default) no header is believed at all.
 */
@Component
public class ClientAddress {

    /** Which header the trusted proxies maintain; only that one is read (a client may send the other). */
    public enum Header { X_FORWARDED_FOR, FORWARDED }

    private final List<Cidr> trusted;
    private final Header header;

    @Autowired
    public ClientAddress(FlashsaleProperties props) {
        this(props.trustedProxies().stream().filter(s -> !s.isBlank()).map(Cidr::parse).toList(), props.forwardedHeader());
    }

    ClientAddress(List<Cidr> trusted, Header header) {
        this.trusted = List.copyOf(trusted);
        this.header = header;
    }

    /** The client's address in its canonical text form, or "unknown" without a peer. */
    public String of(ServerHttpRequest request) {
        InetAddress peer = peer(request);
        return peer == null ? "unknown" : resolve(peer, request.getHeaders()).getHostAddress();
    }

    /**
     * The TCP peer: from the Netty channel when there is one, so that no forwarded-headers support
     * of the server (server.forward-headers-strategy) can substitute a header's value for it.
     */
    public static InetAddress peer(ServerHttpRequest request) {
        SocketAddress remote = null;
        Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
        if (nativeRequest instanceof Connection connection) {
            remote = connection.channel().remoteAddress();
        }
        if (!(remote instanceof InetSocketAddress)) {
            remote = request.getRemoteAddress();
        }
        return remote instanceof InetSocketAddress inet && inet.getAddress() != null ? Cidr.normalize(inet.getAddress()) : null;
    }

    InetAddress resolve(InetAddress peer, HttpHeaders headers) {
        InetAddress hop = Cidr.normalize(peer);
        if (!isTrusted(hop)) {
            return hop;
        }
        List<String> chain = header == Header.FORWARDED ? forwardedFor(headers) : xForwardedFor(headers);
        for (int i = chain.size() - 1; i >= 0; i--) {
            InetAddress entry = Cidr.literal(stripPort(chain.get(i)));
            if (entry == null) {
                // not an address (e.g. "unknown", an obfuscated id): nothing left of it can be checked
                return hop;
            }
            hop = entry;
            if (!isTrusted(hop)) {
                return hop;
            }
        }
        // every hop is a trusted proxy (a probe from inside): the farthest one known
        return hop;
    }

    boolean isTrusted(InetAddress address) {
        for (Cidr range : trusted) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> xForwardedFor(HttpHeaders headers) {
        List<String> chain = new ArrayList<>();
        for (String value : headers.getOrEmpty("X-Forwarded-For")) {
            for (String entry : value.split(",")) {
                chain.add(entry.strip());
            }
        }
        return chain;
    }

    /** The {@code for=} parameters of RFC 7239 {@code Forwarded}, one per element, in order. */
    private static List<String> forwardedFor(HttpHeaders headers) {
        List<String> chain = new ArrayList<>();
        for (String value : headers.getOrEmpty("Forwarded")) {
            for (String element : value.split(",")) {
                String forValue = "";
                for (String pair : element.split(";")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0 && pair.substring(0, eq).strip().toLowerCase(Locale.ROOT).equals("for")) {
                        forValue = pair.substring(eq + 1).strip();
                    }
                }
                if (forValue.length() >= 2 && forValue.startsWith("\"") && forValue.endsWith("\"")) {
                    forValue = forValue.substring(1, forValue.length() - 1);
                }
                // an element without for= breaks the chain like any entry that is not an address
                chain.add(forValue);
            }
        }
        return chain;
    }

    /** {@code 1.2.3.4:80} → 1.2.3.4, {@code [2001:db8::1]:80} → [2001:db8::1]; bare IPv6 unchanged. */
    private static String stripPort(String entry) {
        String s = entry.strip();
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            return close < 0 ? s : s.substring(0, close + 1);
        }
        int colon = s.indexOf(':');
        return colon >= 0 && colon == s.lastIndexOf(':') ? s.substring(0, colon) : s;
    }
}
