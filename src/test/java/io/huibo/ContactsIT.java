package io.huibo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 12, "whom never", over real HTTP against two Huibo processes sharing MariaDB, Redis and the
 * simulator: one active callback per number and destination (also when both instances get the same
 * request at once), and the do-not-call list, checked when a request arrives and before each dial.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContactsIT {
    private Stack stack;
    private Stack.Proc sim;
    private Stack.Proc first;
    private Stack.Proc second;

    @BeforeAll
    void up() throws Exception {
        stack = new Stack();
        sim = stack.sim(1, 10, null);
        first = stack.huibo(stack.huiboEnv(sim, 10));
        second = stack.huibo(stack.huiboEnv(sim, 10));
    }

    @AfterAll
    void down() throws Exception {
        stack.close();
    }

    private HttpResponse<String> post(Stack.Proc huibo, JsonObject body) throws Exception {
        return stack.post(stack.api(huibo) + "/v1/callbacks", body.encode(), Stack.TOKEN, Map.of());
    }

    private static JsonObject request(String number, String destination) {
        return new JsonObject().put("number", number).put("destination", destination);
    }

    private String waitForState(String id, String state) {
        String[] last = new String[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            last[0] = stack.callback(first, id).getString("state");
            assertThat(last[0]).isEqualTo(state);
        });
        return last[0];
    }

    private long stored(String number) throws Exception {
        return stack.count("SELECT COUNT(*) FROM callbacks WHERE number = '" + number + "'");
    }

    // ---- deduplication

    @Test
    void aSecondRequestForAnActivePairGetsTheFirstWith200AndAHeader() throws Exception {
        JsonObject req = request("+8613800200001", "+8613900200001")
                .put("at", Instant.now().plusSeconds(3).toString());
        HttpResponse<String> created = post(first, req);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        String id = new JsonObject(created.body()).getString("id");
        assertThat(created.headers().firstValue("Huibo-Duplicate-Of")).isEmpty();

        // the other instance, another idempotency key: still the same callback
        HttpResponse<String> again = stack.post(stack.api(second) + "/v1/callbacks", req.encode(), Stack.TOKEN,
                Map.of("Idempotency-Key", "dedup-other-key"));
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(again.headers().firstValue("Huibo-Duplicate-Of")).hasValue(id);
        assertThat(new JsonObject(again.body()).getString("id")).isEqualTo(id);
        // another destination is another callback
        HttpResponse<String> otherDestination = post(first, request("+8613800200001", "+8613900200002"));
        assertThat(otherDestination.statusCode()).isEqualTo(202);
        assertThat(new JsonObject(otherDestination.body()).getString("id")).isNotEqualTo(id);

        waitForState(id, "completed");
        assertThat(stack.simCallsOf(sim, id)).hasSize(1);

        // once it is over, the same pair is a new callback
        HttpResponse<String> later = post(second, request("+8613800200001", "+8613900200001"));
        assertThat(later.statusCode()).as(later.body()).isEqualTo(202);
        assertThat(later.headers().firstValue("Huibo-Duplicate-Of")).isEmpty();
        assertThat(new JsonObject(later.body()).getString("id")).isNotEqualTo(id);
        assertThat(stack.count("SELECT COUNT(*) FROM callbacks WHERE number = '+8613800200001' "
                + "AND destination = '+8613900200001'")).isEqualTo(2);
    }

    @Test
    void twoInstancesGettingTheSamePairAtOnceStoreOneCallback() throws Exception {
        JsonObject req = request("+8613800200002", "+8613900200002")
                .put("at", Instant.now().plusSeconds(60).toString());
        int n = 16;
        HttpClient http = HttpClient.newHttpClient();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Stack.Proc target = i % 2 == 0 ? first : second;
                answers.add(pool.submit(() -> {
                    go.await();
                    return http.send(HttpRequest.newBuilder(URI.create(stack.api(target) + "/v1/callbacks"))
                            .header("Authorization", "Bearer " + Stack.TOKEN).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(req.encode())).build(),
                            HttpResponse.BodyHandlers.ofString());
                }));
            }
            go.countDown();
            Set<String> ids = new HashSet<>();
            int createdCount = 0;
            for (Future<HttpResponse<String>> f : answers) {
                HttpResponse<String> r = f.get(20, TimeUnit.SECONDS);
                assertThat(r.statusCode()).as(r.body()).isIn(200, 202);
                if (r.statusCode() == 202) {
                    createdCount++;
                } else {
                    assertThat(r.headers().firstValue("Huibo-Duplicate-Of")).isPresent();
                }
                ids.add(new JsonObject(r.body()).getString("id"));
            }
            assertThat(createdCount).isEqualTo(1);
            assertThat(ids).hasSize(1);
            assertThat(stored("+8613800200002")).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void bulkDuplicatesReportTheActiveCallbackAndTheOtherRowsAreStored() throws Exception {
        String existing = stack.submit(first, request("+8613800200003", "+8613900200003")
                .put("at", Instant.now().plusSeconds(60).toString()));
        JsonArray rows = new JsonArray()
                .add(request("+8613800200003", "+8613900200003"))
                .add(request("+8613800200004", "+8613900200004").put("at", Instant.now().plusSeconds(60).toString()))
                .add(request("+8613800200004", "+8613900200004"));

        HttpResponse<String> r = stack.post(stack.api(second) + "/v1/callbacks/bulk", rows.encode(), Stack.TOKEN, Map.of());

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonObject body = new JsonObject(r.body());
        assertThat(body.getInteger("accepted")).isEqualTo(3);
        assertThat(body.getInteger("duplicates")).isEqualTo(2);
        JsonArray results = body.getJsonArray("results");
        assertThat(results.getJsonObject(0).getString("id")).isEqualTo(existing);
        assertThat(results.getJsonObject(0).getBoolean("duplicate")).isTrue();
        String fresh = results.getJsonObject(1).getString("id");
        assertThat(fresh).isNotEqualTo(existing);
        assertThat(results.getJsonObject(1).containsKey("duplicate")).isFalse();
        // a duplicate of an earlier row of the same body
        assertThat(results.getJsonObject(2).getString("id")).isEqualTo(fresh);
        assertThat(results.getJsonObject(2).getBoolean("duplicate")).isTrue();
        assertThat(stored("+8613800200003")).isEqualTo(1);
        assertThat(stored("+8613800200004")).isEqualTo(1);
        // no creation event for a row that was not stored
        assertThat(stack.count("SELECT COUNT(*) FROM callback_events e JOIN callbacks c ON c.id = e.callback_id "
                + "WHERE c.number = '+8613800200004' AND e.from_state IS NULL")).isEqualTo(1);
    }

    // ---- do-not-call

    @Test
    void aListedNumberIsRefusedWith422AndNothingIsStored() throws Exception {
        HttpResponse<String> put = stack.send(first, "PUT", "/v1/dnc/+8613800200010",
                new JsonObject().put("reason", "asked not to be called").encode());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        assertThat(new JsonObject(put.body()).getString("addedBy")).isEqualTo("bootstrap");

        // the other instance refuses it too: no copy of the list to go stale
        HttpResponse<String> r = post(second, request("+8613800200010", "+8613900200010"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonObject problem = new JsonObject(r.body());
        assertThat(problem.getString("field")).isEqualTo("number");
        assertThat(problem.getString("detail")).contains("do-not-call").contains("asked not to be called");

        JsonArray rows = new JsonArray().add(request("+8613800200010", "+8613900200010"))
                .add(request("+8613800200011", "+8613900200011").put("at", Instant.now().plusSeconds(60).toString()));
        HttpResponse<String> bulk = stack.post(stack.api(first) + "/v1/callbacks/bulk", rows.encode(), Stack.TOKEN, Map.of());
        JsonObject b = new JsonObject(bulk.body());
        assertThat(b.getInteger("accepted")).isEqualTo(1);
        assertThat(b.getInteger("rejected")).isEqualTo(1);
        assertThat(b.getJsonArray("results").getJsonObject(0).getJsonObject("problem").getInteger("status")).isEqualTo(422);
        assertThat(b.getJsonArray("results").getJsonObject(0).containsKey("id")).isFalse();

        assertThat(stored("+8613800200010")).isZero();
        assertThat(stored("+8613800200011")).isEqualTo(1);

        // taken off the list, it is accepted again
        assertThat(stack.send(first, "DELETE", "/v1/dnc/+8613800200010", null).statusCode()).isEqualTo(204);
        assertThat(stack.send(first, "DELETE", "/v1/dnc/+8613800200010", null).statusCode()).isEqualTo(404);
        assertThat(post(second, request("+8613800200010", "+8613900200010")
                .put("at", Instant.now().plusSeconds(60).toString())).statusCode()).isEqualTo(202);
    }

    @Test
    void aNumberListedAfterQueuingIsNeverDialedAndEndsBlocked() throws Exception {
        String id = stack.submit(first, request("+8613800200020", "+8613900200020")
                .put("at", Instant.now().plusSeconds(3).toString()));
        HttpResponse<String> put = stack.send(second, "PUT", "/v1/dnc/+8613800200020",
                new JsonObject().put("reason", "complained").encode());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);

        waitForState(id, "blocked");

        assertThat(stack.simCallsOf(sim, id)).isEmpty();
        JsonObject cb = stack.callback(first, id);
        assertThat(cb.getJsonArray("attempts")).isEmpty();
        assertThat(stack.count("SELECT COUNT(*) FROM callback_events WHERE callback_id = '" + id
                + "' AND to_state = 'blocked' AND detail = 'on the do-not-call list: complained'")).isEqualTo(1);
        // blocked is final: the pair is free for a new request (refused now, the number is listed)
        assertThat(post(first, request("+8613800200020", "+8613900200020")).statusCode()).isEqualTo(422);
    }

    @Test
    void theListIsPagedAndImportedAllOrNothing() throws Exception {
        String csv = "number,reason\n+8613800200030,spam\n+8613800200031\n+8613800200032,\"a, b\"\n";
        HttpResponse<String> imported = importCsv(csv);
        assertThat(imported.statusCode()).as(imported.body()).isEqualTo(200);
        assertThat(new JsonObject(imported.body())).isEqualTo(new JsonObject().put("added", 3).put("updated", 0));
        HttpResponse<String> again = importCsv("+8613800200030,spam again\n");
        assertThat(new JsonObject(again.body())).isEqualTo(new JsonObject().put("added", 0).put("updated", 1));

        HttpResponse<String> bad = importCsv("+8613800200033\nnot-a-number\n");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(bad.body()).getString("field")).isEqualTo("line 2");
        assertThat(stack.count("SELECT COUNT(*) FROM do_not_call WHERE number = '+8613800200033'")).isZero();

        HttpResponse<String> page1 = stack.send(first, "GET", "/v1/dnc?limit=2&after=%2B8613800200029", null);
        assertThat(page1.statusCode()).as(page1.body()).isEqualTo(200);
        JsonObject p1 = new JsonObject(page1.body());
        assertThat(p1.getJsonArray("entries")).hasSize(2);
        assertThat(p1.getJsonArray("entries").getJsonObject(0).getString("reason")).isEqualTo("spam again");
        HttpResponse<String> page2 = stack.send(first, "GET", "/v1/dnc?limit=2&after="
                + java.net.URLEncoder.encode(p1.getString("next"), java.nio.charset.StandardCharsets.UTF_8), null);
        JsonObject p2 = new JsonObject(page2.body());
        assertThat(p2.getJsonArray("entries").getJsonObject(0).getString("number")).isEqualTo("+8613800200032");
        assertThat(p2.getJsonArray("entries").getJsonObject(0).getString("reason")).isEqualTo("a, b");

        assertThat(stack.send(first, "PUT", "/v1/dnc/+86138&PJSIP", "{}").statusCode()).isEqualTo(400);
        assertThat(stack.send(first, "PUT", "/v1/dnc/+8613800200034", "{\"reason\":5}").statusCode()).isEqualTo(400);
        assertThat(stack.send(first, "GET", "/v1/dnc?limit=0", null).statusCode()).isEqualTo(400);
        assertThat(stack.count("SELECT COUNT(*) FROM do_not_call WHERE number = '+8613800200034'")).isZero();
    }

    private HttpResponse<String> importCsv(String csv) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(stack.api(second) + "/v1/dnc/import"))
                .header("Authorization", "Bearer " + Stack.TOKEN).header("Content-Type", "text/csv")
                .POST(HttpRequest.BodyPublishers.ofString(csv)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
