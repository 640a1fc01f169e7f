package dev.flashsale.api.web;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.HttpStatus;

/**
 * Admission of event streams: at most {@code maxPerClient} open at once per client address and
 * {@code maxPerPod} in all. A client's entry exists only while it has a stream open (it is removed
 * when its count returns to 0), so the state is bounded by the open streams, whoever connects.
 */
final class StreamLimits {

    /** Seconds to wait after a 429: the client's own streams must end first. */
    static final long CLIENT_RETRY_AFTER_SECONDS = 5;
    /** Seconds to wait after a 503: about when the SPA reopens anyway (2-4 s), likely on another pod. */
    static final long POD_RETRY_AFTER_SECONDS = 2;

    private final int maxPerClient;
    private final int maxPerPod;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<String, Integer> perClient = new ConcurrentHashMap<>();

    StreamLimits(int maxPerClient, int maxPerPod) {
        this.maxPerClient = maxPerClient;
        this.maxPerPod = maxPerPod;
    }

    /** A slot for one more stream of this client; release it exactly once (its release is idempotent). */
    interface Slot {
        void release();
    }

    /** Takes a slot, or throws the 429/503 to answer (429 first: a client over its cap hears so). */
    Slot admit(String client) {
        boolean[] admitted = {false};
        perClient.compute(client, (k, n) -> {
            int count = n == null ? 0 : n;
            if (count >= maxPerClient) {
                return n;
            }
            admitted[0] = true;
            return count + 1;
        });
        if (!admitted[0]) {
            throw new ApiError(HttpStatus.TOO_MANY_REQUESTS, "RATE_LIMITED",
                    "Too many event streams open from your address; close some or try again later.")
                    .retryAfter(CLIENT_RETRY_AFTER_SECONDS);
        }
        if (open.incrementAndGet() > maxPerPod) {
            open.decrementAndGet();
            leave(client);
            throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE",
                    "This server has as many event streams open as it can serve; try again shortly.")
                    .retryAfter(POD_RETRY_AFTER_SECONDS);
        }
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                leave(client);
                open.decrementAndGet();
            }
        };
    }

    private void leave(String client) {
        perClient.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
    }

    int open() {
        return open.get();
    }

    /** Client addresses with at least one open stream (the size of the per-client state). */
    int clients() {
        return perClient.size();
    }
}
