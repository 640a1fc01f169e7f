package dev.flashsale.api.events;

import com.github.benmanes.caffeine.cache.Caffeine;
import dev.flashsale.api.config.FlashsaleProperties;
import dev.flashsale.core.EndReason;
import dev.flashsale.core.PurchaseResult;
import dev.flashsale.core.SaleEvent;
import dev.flashsale.core.SaleState;
import dev.flashsale.core.SaleStore;
import dev.flashsale.core.SaleView;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * What this pod knows for sure about ended sales, so that the herd arriving after a sell-out is
 * answered from memory without touching Redis. An end is final and so is the set of buyers once a
 * sale has ended; buyers still go to Redis (they must hear ALREADY_PURCHASED), everyone else is
 * answered here. Learned from state events and from the scripts' own answers (Redis clock only).
 */
@Component
public class SaleMemory {

    /** Heap a remembered buyer id costs besides its characters: set entry, string header. */
    private static final int BUYER_BYTES = 64;

    private final SaleStore store;
    private final long maxBytesPerSale;
    private final ConcurrentMap<String, Ended> ended;

    /**
     * All ended sales together take at most {@code ended-sales.max-memory} of heap, and one sale at
     * most a quarter of it (a larger one is not memorised: its late requests go to Redis); the least
     * recently asked are forgotten first, and so is a sale nobody asked about for an hour. Forgotten
     * only means slower: Redis answers again.
     */
    public SaleMemory(SaleStore store, FlashsaleProperties props) {
        this.store = store;
        long maxBytes = props.endedSales().maxMemory().toBytes();
        this.maxBytesPerSale = maxBytes / 4;
        this.ended = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String saleId, Ended e) -> (int) Math.min(Integer.MAX_VALUE, e.bytes()))
                .expireAfterAccess(Duration.ofHours(1))
                .<String, Ended>build().asMap();
    }

    /** Heap held now by the buyers of all remembered sales, by the same estimate as the bound. */
    public long rememberedBytes() {
        return ended.values().stream().mapToLong(Ended::bytes).sum();
    }

    /** The ended sale's answer for a user who did not buy, or null when Redis must decide. */
    public PurchaseResult answerFromMemory(String saleId, String userId) {
        Ended e = ended.get(saleId);
        if (e == null || e.buyers() == null || e.buyers().contains(userId)) {
            return null;
        }
        Instant now = Instant.now();
        return e.reason() == EndReason.SOLD_OUT
                ? new PurchaseResult(PurchaseResult.Outcome.SOLD_OUT, now, null, false, null, null, 0)
                : new PurchaseResult(PurchaseResult.Outcome.SALE_ENDED, now, null, false, SaleState.ENDED, e.reason(), 0);
    }

    void onEvent(SaleEvent event) {
        if (event.kind() != SaleEvent.Kind.STATE) {
            return;
        }
        if (event.state() == SaleState.ENDED) {
            learnEnded(event.saleId(), event.endReason());
        } else {
            // a sale id that lives again (deleted and re-created) starts afresh
            ended.remove(event.saleId());
        }
    }

    /** The sales remembered now (re-read after a resubscription: events about them may have been missed). */
    Set<String> rememberedSales() {
        return Set.copyOf(ended.keySet());
    }

    /**
     * Corrects the memory with a view read after events may have been missed (null: the sale is
     * gone). What the view does not confirm is forgotten; an end it confirms is learned again with
     * the buyers read afresh, since the id may have been re-created and ended again meanwhile.
     */
    void refresh(String saleId, SaleView fresh) {
        ended.remove(saleId);
        if (fresh != null && fresh.state() == SaleState.ENDED) {
            learnEnded(saleId, fresh.endReason());
        }
    }

    /** Called with every script answer that proves the sale has ended. */
    public void onResult(String saleId, PurchaseResult result) {
        switch (result.outcome()) {
            // with checkout, sold out while holds are open is not the end: released units sell again
            case SOLD_OUT -> {
                if (result.state() == SaleState.ENDED) {
                    learnEnded(saleId, EndReason.SOLD_OUT);
                }
            }
            case SALE_ENDED -> learnEnded(saleId, result.endReason());
            default -> { }
        }
    }

    private void learnEnded(String saleId, EndReason reason) {
        Ended fresh = new Ended(reason);
        if (ended.putIfAbsent(saleId, fresh) != null) {
            return;
        }
        AtomicLong bytes = new AtomicLong();
        store.buyerIds(saleId).takeWhile(id -> bytes.addAndGet(bytesOf(id)) <= maxBytesPerSale)
                .collect(Collectors.toUnmodifiableSet())
                .subscribe(buyers -> {
                    if (bytes.get() <= maxBytesPerSale) {
                        // a new entry, so that the cache weighs it with its buyers
                        ended.replace(saleId, fresh, new Ended(reason, buyers, bytes.get()));
                    }
                }, error -> ended.remove(saleId, fresh));
    }

    private static long bytesOf(String buyerId) {
        return BUYER_BYTES + 2L * buyerId.length();
    }

    /**
     * @param buyers null until loaded (or when too many to hold): Redis decides meanwhile
     * @param bytes  the heap the buyers take, by estimate
     */
    private record Ended(EndReason reason, Set<String> buyers, long bytes) {
        Ended(EndReason reason) {
            this(reason, null, BUYER_BYTES);
        }
    }
}
