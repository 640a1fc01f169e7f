package dev.flashsale.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.flashsale.core.Purchase;
import dev.flashsale.core.SaleSpec;
import dev.flashsale.core.SaleView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Real concurrency over HTTP against real Redis: the herd never oversells, no user gets more than
 * the limit, and what Redis confirmed is exactly what reaches PostgreSQL: the guarantees of
 * docs/contract/api.md ("Guarantees, under any concurrency").
 */
class RaceIT extends ApiTestSupport {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Parsed on the test thread, never on the client's event loop. */
    record Answer(int status, String raw) {
        JsonNode body() {
            return JSON.readTree(raw);
        }
    }

    private List<Answer> fire(WebClient client, String saleId, List<String> users, int concurrency) {
        return Flux.fromIterable(users)
                .flatMap(user -> client.post().uri("/api/v1/sales/{id}/purchases", saleId).header("X-User-Id", user)
                        .exchangeToMono(r -> r.bodyToMono(String.class)
                                .map(b -> new Answer(r.statusCode().value(), b))), concurrency)
                .collectList().block(Duration.ofMinutes(2));
    }

    /** 1,000 distinct users and 50 users sending 4 duplicates each, all at once, for 100 units. */
    @RepeatedTest(3)
    void herdOfUniqueAndDuplicateUsersBuysExactlyTheStock() throws Exception {
        SaleSpec sale = activeSale("herd", 100, 1);
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            users.add("unique-" + i);
        }
        for (int i = 0; i < 50; i++) {
            for (int d = 0; d < 4; d++) {
                users.add("dup-" + i);
            }
        }
        Collections.shuffle(users);
        List<Answer> answers = fire(concurrentClient(1_200), sale.id(), users, 1_200);

        List<JsonNode> wins = answers.stream().filter(a -> a.status() == 201).map(a -> a.body().get("data")).toList();
        assertThat(wins).hasSize(100);
        Set<String> winners = wins.stream().map(w -> w.get("userId").asString()).collect(Collectors.toSet());
        assertThat(winners).hasSize(100);
        assertThat(wins.stream().map(w -> w.get("purchaseId").asString()).collect(Collectors.toSet())).hasSize(100);
        Map<String, Long> losers = answers.stream().filter(a -> a.status() != 201)
                .collect(Collectors.groupingBy(a -> a.status() + " " + a.body().get("error").get("code").asString(), Collectors.counting()));
        assertThat(losers.keySet()).allMatch(k -> k.equals("409 SOLD_OUT") || k.equals("409 ALREADY_PURCHASED"));

        SaleView view = view(sale.id());
        assertThat(view.sold()).isEqualTo(100);
        assertThat(view.stock()).isZero();
        await("100 rows in PostgreSQL").atMost(Duration.ofSeconds(30)).until(() -> rowsInPostgres(sale.id()) == 100);
        Set<String> inRedis = store.purchases(sale.id()).map(Purchase::purchaseId).collect(Collectors.toSet()).block();
        Set<String> inDb = new HashSet<>(repository.purchaseIds(sale.id()).collectList().block());
        assertThat(inDb).isEqualTo(inRedis);
        await("persisted == sold").atMost(Duration.ofSeconds(10)).until(() -> view(sale.id()).persisted() == 100);
    }

    /** 200 concurrent requests of one user, limit 3: exactly 3 units. */
    @RepeatedTest(3)
    void oneUserRacingWithHimselfGetsExactlyTheLimit() {
        SaleSpec sale = activeSale("self", 1_000, 3);
        List<String> users = Collections.nCopies(200, "greedy");
        List<Answer> answers = fire(concurrentClient(200), sale.id(), users, 200);
        int units = answers.stream().filter(a -> a.status() == 201).mapToInt(a -> a.body().get("data").get("qty").asInt()).sum();
        assertThat(units).isEqualTo(3);
        assertThat(answers.stream().filter(a -> a.status() != 201).map(a -> a.body().get("error").get("code").asString()))
                .containsOnly("ALREADY_PURCHASED");
        assertThat(view(sale.id()).sold()).isEqualTo(3);
    }

    /** The last unit: hundreds race for it, exactly one wins. */
    @Test
    void hundredsRaceForTheLastUnit() {
        SaleSpec sale = activeSale("last", 1, 1);
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            users.add("last-" + i);
        }
        List<Answer> answers = fire(concurrentClient(500), sale.id(), users, 500);
        assertThat(answers.stream().filter(a -> a.status() == 201)).hasSize(1);
        assertThat(answers.stream().filter(a -> a.status() == 409)).hasSize(499);
    }
}
