package dev.flashsale.api.events;

import dev.flashsale.core.SaleStore;
import dev.flashsale.core.SaleView;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Makes time-driven transitions (start, end) happen on time even when nobody buys or reads: shortly
 * before a sale's start or end, each pod schedules a read at that instant of the Redis clock. The
 * read records the transition and publishes the state-change; whichever pod comes first does it,
 * the others find nothing to do.
 */
@Component
public class SaleClock {

    private static final Logger log = LoggerFactory.getLogger(SaleClock.class);
    private static final Duration LOOK_AHEAD = Duration.ofSeconds(3);
    private static final Duration SLACK = Duration.ofMillis(5);

    private final SaleStore store;
    private final Set<String> scheduled = ConcurrentHashMap.newKeySet();

    public SaleClock(SaleStore store) {
        this.store = store;
    }

    @Scheduled(fixedDelayString = "${flashsale.clock.scan-interval:2s}")
    void scan() {
        store.list().doOnNext(this::scheduleDueTransition).then()
                .onErrorResume(e -> {
                    log.debug("clock scan failed: {}", e.toString());
                    return Mono.empty();
                })
                .block(Duration.ofSeconds(10));
    }

    private void scheduleDueTransition(SaleView v) {
        Instant due = switch (v.state()) {
            case UPCOMING -> v.startTime();
            case ACTIVE, PAUSED -> v.endTime();
            case ENDED -> null;
        };
        if (due == null) {
            return;
        }
        Duration wait = Duration.between(v.serverTime(), due);
        String key = v.id() + "@" + due.toEpochMilli();
        if (wait.compareTo(LOOK_AHEAD) > 0 || !scheduled.add(key)) {
            return;
        }
        // a few ms late rather than early: an early read finds nothing to record
        Mono.delay(wait.isNegative() ? Duration.ZERO : wait.plus(SLACK))
                .then(store.view(v.id()))
                .doFinally(s -> scheduled.remove(key))
                .subscribe(null, e -> log.debug("transition read of {} failed: {}", v.id(), e.toString()));
    }
}
