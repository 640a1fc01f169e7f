package dev.flashsale.api.config;

import dev.flashsale.api.web.ClientAddress;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Everything sale-api lets an operator tune, under {@code flashsale.*}.
 * @param trustedProxies  CIDRs of the proxies whose forwarding header is believed (see ClientAddress);
 *                        empty: none, the client address is always the TCP peer
 * @param forwardedHeader the header those proxies maintain: x-forwarded-for or forwarded (RFC 7239)
 */
@ConfigurationProperties("flashsale")
public record FlashsaleProperties(
        @DefaultValue Redis redis,
        @DefaultValue RateLimit rateLimit,
        @DefaultValue Shedding shedding,
        @DefaultValue Sse sse,
        @DefaultValue Relay relay,
        @DefaultValue Topics topics,
        @DefaultValue Reconciliation reconciliation,
        @DefaultValue EndedSales endedSales,
        @DefaultValue Auth auth,
        @DefaultValue Checkout checkout,
        @DefaultValue List<String> trustedProxies,
        @DefaultValue("x-forwarded-for") ClientAddress.Header forwardedHeader) {

    /** @param url Redis URI; @param commandTimeout after which a Redis call fails (503) */
    public record Redis(@DefaultValue("redis://127.0.0.1:6379") String url,
                        @DefaultValue("5s") Duration commandTimeout) {}

    /**
     * Token buckets per client IP (a production setting, off locally) and per user (always on).
     * @param maxMemory heap that the buckets of each of the two limiters may take together; beyond
     *                  it the least recently used are forgotten (those shoppers start afresh)
     */
    public record RateLimit(@DefaultValue Bucket perIp, @DefaultValue Bucket perUser,
                            @DefaultValue("32MB") DataSize maxMemory) {}

    /** @param capacity burst size; @param refillPerSecond sustained requests per second */
    public record Bucket(@DefaultValue("false") boolean enabled, @DefaultValue("200") long capacity,
                         @DefaultValue("100") long refillPerSecond) {}

    /** @param maxInFlight purchases in progress per pod before new ones are answered 503 at once */
    public record Shedding(@DefaultValue("2048") int maxInFlight) {}

    /**
     * @param coalesce     at most one stock-update per connection per this period
     * @param bufferSize   events a browser may lag behind before it is disconnected (it reconnects
     *                     with a fresh snapshot); small, as every connection holds one
     * @param stallTimeout a stream whose waiting events the client has not taken for this long
     *                     (it stopped reading: its socket's buffers are full) is closed
     * @param sendBuffer   the kernel's send buffer of an event stream's socket (SO_SNDBUF; 0: the
     *                     system's autotuned default, which may grow to megabytes): bounds what a
     *                     client that stopped reading holds in the kernel before it shows as stalled
     * @param maxPerClient open streams per client address and pod; beyond it 429
     * @param maxPerPod    open streams per pod; beyond it 503
     */
    public record Sse(@DefaultValue("15s") Duration heartbeat, @DefaultValue("250ms") Duration coalesce,
                      @DefaultValue("2s") Duration retry, @DefaultValue("64") int bufferSize,
                      @DefaultValue("30s") Duration stallTimeout, @DefaultValue("32KB") DataSize sendBuffer,
                      @DefaultValue("32") int maxPerClient, @DefaultValue("12000") int maxPerPod) {}

    /**
     * @param claimAfter entries pending this long in another (dead) consumer are taken over; every
     *                   sale's outbox is swept at half this period (others are read when they sell)
     */
    public record Relay(@DefaultValue("true") boolean enabled, @DefaultValue("2000") int batchSize,
                        @DefaultValue("10s") Duration claimAfter,
                        @DefaultValue("") String consumerName) {}

    public record Topics(@DefaultValue("flashsale.purchases") String purchases,
                         @DefaultValue("flashsale.purchases.DLT") String deadLetter,
                         @DefaultValue("3") int partitions) {}

    /** @param grace purchases younger than this are still on their way and not counted missing */
    public record Reconciliation(@DefaultValue("true") boolean enabled, @DefaultValue("30s") Duration interval,
                                 @DefaultValue("30s") Duration grace) {}

    /**
     * What a pod remembers of ended sales to answer the late herd without Redis.
     * @param maxMemory heap for the buyer ids of all ended sales together
     */
    public record EndedSales(@DefaultValue("48MB") DataSize maxMemory) {}

    /**
     * Who the shopper is (docs/contract/api.md, "Sign-in"). How tokens are checked (issuer, JWKS,
     * audiences, algorithms, the claim that names the shopper) is Boot's
     * {@code spring.security.oauth2.resourceserver.jwt.*}.
     * @param mode     oidc (a bearer token of the issuer), trusted-header (an authenticating gateway
     *                 sets {@code header}) or none (self-reported {@code header}: tests and benchmarks)
     * @param clientId the public client the SPA signs in with, told to browsers by GET /api/v1/config
     * @param gateways CIDRs of the gateways whose {@code header} is believed in trusted-header mode;
     *                 matched against the TCP peer, never a forwarded address
     * @param header   the header naming the shopper in the trusted-header and none modes
     */
    public record Auth(@DefaultValue("oidc") AuthMode mode, @DefaultValue("flashsale-spa") String clientId,
                       @DefaultValue List<String> gateways, @DefaultValue("X-User-Id") String header) {}

    public enum AuthMode { OIDC, TRUSTED_HEADER, NONE }

    /**
     * Checkout (docs/contract/api.md, "Checkout"): sales with {@code spec.checkout.holdFor}.
     * @param webhookSecret  the payment provider's HMAC secret for POST /api/v1/payments/events;
     *                       empty: the webhook answers 503
     * @param paymentUrl     where the SPA sends a shopper to pay a hold (GET /api/v1/config)
     * @param expiryInterval how often each pod expires due holds (a hold ends within about this
     *                       much of its expiresAt)
     * @param expiryBatch    holds one expiry call releases at most (it goes on at once while more are due)
     */
    public record Checkout(@DefaultValue("") String webhookSecret, @DefaultValue("") String paymentUrl,
                           @DefaultValue("250ms") Duration expiryInterval, @DefaultValue("500") int expiryBatch) {}
}
