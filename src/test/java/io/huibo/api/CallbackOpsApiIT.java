package io.huibo.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.huibo.Stack;
import io.huibo.service.CallbackOperations;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The operator's API over real HTTP against a real Huibo, Redis, MariaDB and simulated PBX: lists with
 * filters and cursors, state history, requeue, reschedule, bulk submit and cancel, queue figures.
 * Each test marks its callbacks with metadata of its own, so the tests share one server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CallbackOpsApiIT {
    /** Busy the first time it is called, answered the second time. */
    private static final String BUSY_THEN_ANSWER = "+8613800000026";
    private static final String SCENARIO = """
            numbers:
              "%s":
                outcomes: [busy, answer]
            """.formatted(BUSY_THEN_ANSWER);
    private static final String FAR = "2099-01-01T00:00:00Z";

    private final HttpClient http = HttpClient.newHttpClient();
    private Stack stack;
    private Stack.Proc sim;
    private Stack.Proc huibo;

    @BeforeAll
    void up() throws Exception {
        stack = new Stack();
        sim = stack.sim(1, 10, SCENARIO);
        huibo = stack.huibo(stack.huiboEnv(sim, 10));
    }

    @AfterAll
    void down() throws Exception {
        stack.close();
    }

    // ------------------------------------------------------------------ helpers

    private static String tag() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private String submit(String number, String at, int priority, String batch) throws Exception {
        JsonObject body = new JsonObject().put("number", number).put("destination", "+8613900139000")
                .put("priority", priority).put("metadata", new JsonObject().put("batch", batch));
        if (at != null) {
            body.put("at", at);
        }
        return stack.submit(huibo, body);
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        return stack.get(stack.api(huibo) + pathAndQuery, Stack.TOKEN);
    }

    private JsonObject ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        return new JsonObject(r.body());
    }

    private JsonObject problem(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonObject p = new JsonObject(r.body());
        assertThat(p.getInteger("status")).isEqualTo(status);
        assertThat(p.getString("detail")).isNotBlank();
        return p;
    }

    private HttpResponse<String> postRaw(String path, String contentType, String body) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(stack.api(huibo) + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + Stack.TOKEN).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Every id of a list, following its cursors; asserts each page's size limit. */
    private List<String> allPages(String query, int limit, int[] pages) throws Exception {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        do {
            JsonObject page = ok(get("/v1/callbacks?" + query + "&limit=" + limit
                    + (cursor == null ? "" : "&cursor=" + enc(cursor))));
            JsonArray items = page.getJsonArray("items");
            assertThat(items.size()).isLessThanOrEqualTo(limit);
            for (int i = 0; i < items.size(); i++) {
                ids.add(items.getJsonObject(i).getString("id"));
            }
            cursor = page.getString("nextCursor");
            pages[0]++;
        } while (cursor != null);
        return ids;
    }

    private JsonObject waitForState(String id, String state) {
        JsonObject[] last = new JsonObject[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            last[0] = stack.callback(huibo, id);
            assertThat(last[0].getString("state")).isEqualTo(state);
        });
        return last[0];
    }

    // ------------------------------------------------------------------ list

    @Test
    void listFiltersAndCursorsCoverEveryMatchOnceNewestFirst() throws Exception {
        String batch = tag();
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            mine.add(submit("+86138001380" + (10 + i), FAR, 1, batch));
        }
        String other = submit("+8613800138099", FAR, 1, tag());

        int[] pages = {0};
        List<String> listed = allPages("metadata.batch=" + batch, 3, pages);
        assertThat(pages[0]).isEqualTo(3);
        assertThat(listed).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(mine).doesNotContain(other);
        // ids are time-ordered: newest first is descending id order, the same on every read
        assertThat(listed).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(allPages("metadata.batch=" + batch, 2, new int[1])).isEqualTo(listed);

        JsonObject one = ok(get("/v1/callbacks?metadata.batch=" + batch + "&number=" + enc("+8613800138012")));
        assertThat(one.getJsonArray("items")).hasSize(1);
        JsonObject item = one.getJsonArray("items").getJsonObject(0);
        assertThat(item.getString("id")).isEqualTo(mine.get(2));
        assertThat(item.getString("state")).isEqualTo("queued");
        assertThat(item.getString("dueAt")).isEqualTo(FAR);
        assertThat(item.getJsonObject("metadata").getString("batch")).isEqualTo(batch);
        assertThat(one.getString("nextCursor")).isNull();

        // an unescaped '+' arrives as a space; the filter takes it for the '+' it was
        assertThat(ok(get("/v1/callbacks?metadata.batch=" + batch + "&number=+8613800138012"))
                .getJsonArray("items")).hasSize(1);
        assertThat(ok(get("/v1/callbacks?metadata.batch=" + batch + "&state=completed,failed"))
                .getJsonArray("items")).isEmpty();
        assertThat(ok(get("/v1/callbacks?metadata.batch=" + batch + "&state=queued&destination="
                + enc("+8613900139000"))).getJsonArray("items")).hasSize(7);
        assertThat(ok(get("/v1/callbacks?metadata.batch=" + batch + "&dueFrom=2098-12-31T00:00:00Z&dueTo="
                + enc("2099-01-01T00:00:00.001Z"))).getJsonArray("items")).hasSize(7);
        assertThat(ok(get("/v1/callbacks?metadata.batch=" + batch + "&dueTo=2098-12-31T00:00:00Z"))
                .getJsonArray("items")).isEmpty();
        String hourAgo = Instant.now().minusSeconds(3600).toString();
        assertThat(ok(get("/v1/callbacks?metadata.batch=" + batch + "&createdFrom=" + hourAgo))
                .getJsonArray("items")).hasSize(7);
        assertThat(ok(get("/v1/callbacks?metadata.batch=" + batch + "&createdTo=" + hourAgo))
                .getJsonArray("items")).isEmpty();
        assertThat(ok(get("/v1/callbacks?metadata.batch=" + batch + "&node=sim1"))
                .getJsonArray("items")).isEmpty();
        assertThat(ok(get("/v1/callbacks?metadata.batch=" + batch + "&endedFrom=" + hourAgo))
                .getJsonArray("items")).isEmpty();
    }

    @Test
    void listFiltersOnNodeAndEndTimeOnceCallbacksRan() throws Exception {
        String batch = tag();
        String id = submit("+8613800138100", null, 0, batch);
        waitForState(id, "completed");
        String hourAgo = Instant.now().minusSeconds(3600).toString();
        String inAnHour = Instant.now().plusSeconds(3600).toString();
        JsonArray byNode = ok(get("/v1/callbacks?metadata.batch=" + batch + "&node=sim1")).getJsonArray("items");
        assertThat(byNode).hasSize(1);
        assertThat(byNode.getJsonObject(0).getString("state")).isEqualTo("completed");
        assertThat(byNode.getJsonObject(0).getInteger("attemptCount")).isEqualTo(1);
        assertThat(ok(get("/v1/callbacks?metadata.batch=" + batch + "&node=sim9")).getJsonArray("items")).isEmpty();
        assertThat(ok(get("/v1/callbacks?metadata.batch=" + batch + "&endedFrom=" + hourAgo + "&endedTo=" + inAnHour))
                .getJsonArray("items")).hasSize(1);
        assertThat(ok(get("/v1/callbacks?metadata.batch=" + batch + "&endedTo=" + hourAgo))
                .getJsonArray("items")).isEmpty();
    }

    @Test
    void aBadFilterIs400NamingIt() throws Exception {
        assertThat(problem(get("/v1/callbacks?state=ringing"), 400).getString("field")).isEqualTo("state");
        assertThat(problem(get("/v1/callbacks?limit=100000"), 400).getString("field")).isEqualTo("limit");
        assertThat(problem(get("/v1/callbacks?cursor=bogus"), 400).getString("field")).isEqualTo("cursor");
        assertThat(problem(get("/v1/callbacks?createdFrom=monday"), 400).getString("field")).isEqualTo("createdFrom");
        assertThat(problem(get("/v1/callbacks?numbr=1"), 400).getString("field")).isEqualTo("numbr");
        assertThat(problem(get("/v1/callbacks?number=" + enc("+86&PJSIP/1")), 400).getString("field"))
                .isEqualTo("number");
        assertThat(stack.get(stack.api(huibo) + "/v1/callbacks", "wrong-token").statusCode()).isEqualTo(401);
    }

    // ------------------------------------------------------------------ events

    @Test
    void eventsAreTheStoredStateHistory() throws Exception {
        String id = submit("+8613800138200", null, 0, tag());
        waitForState(id, "completed");
        JsonObject r = ok(get("/v1/callbacks/" + id + "/events"));
        assertThat(r.getString("id")).isEqualTo(id);
        JsonArray events = r.getJsonArray("events");
        List<String> moves = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            JsonObject e = events.getJsonObject(i);
            assertThat(Instant.parse(e.getString("at"))).isBefore(Instant.now().plusSeconds(5));
            moves.add(e.getString("from") + "->" + e.getString("to"));
        }
        assertThat(moves).containsExactly("queued->dialing", "dialing->completed");
        assertThat(events.getJsonObject(0).getString("detail")).contains("sim1");

        problem(get("/v1/callbacks/01ARZ3NDEKTSV4RRFFQ69G5FAV/events"), 404);
        problem(get("/v1/callbacks/not-an-id/events"), 404);
    }

    // ------------------------------------------------------------------ requeue

    @Test
    void aFailedCallbackRequeuedIsDialedAgainWithAFreshBudget() throws Exception {
        JsonObject body = new JsonObject().put("number", BUSY_THEN_ANSWER).put("destination", "+8613900139000")
                .put("maxAttempts", 1);
        String id = stack.submit(huibo, body);
        waitForState(id, "failed");

        HttpResponse<String> r = stack.send(huibo, "POST", "/v1/callbacks/" + id + "/requeue", "{\"maxAttempts\":2}");
        JsonObject requeued = ok(r);
        assertThat(requeued.getString("state")).isEqualTo("queued");
        assertThat(requeued.getInteger("attemptCount")).isEqualTo(1);
        assertThat(requeued.getInteger("maxAttempts")).isEqualTo(3);

        JsonObject done = waitForState(id, "completed");
        JsonArray attempts = done.getJsonArray("attempts");
        assertThat(attempts).hasSize(2);
        assertThat(attempts.getJsonObject(0).getString("outcome")).isEqualTo("busy");
        // attempt numbers go on: a new ChannelId, never the failed attempt's
        assertThat(attempts.getJsonObject(1).getString("channelId")).isEqualTo("hb-" + id + "-2");
        assertThat(attempts.getJsonObject(1).getString("outcome")).isEqualTo("connected");
        assertThat(stack.simCallsOf(sim, id)).hasSize(2);

        List<String> moves = new ArrayList<>();
        JsonArray events = ok(get("/v1/callbacks/" + id + "/events")).getJsonArray("events");
        for (int i = 0; i < events.size(); i++) {
            moves.add(events.getJsonObject(i).getString("from") + "->" + events.getJsonObject(i).getString("to"));
        }
        assertThat(moves).containsExactly("queued->dialing", "dialing->failed", "failed->queued",
                "queued->dialing", "dialing->completed");

        // completed: nothing to requeue
        problem(stack.send(huibo, "POST", "/v1/callbacks/" + id + "/requeue", null), 409);
    }

    @Test
    void aCancelledCallbackCanBeRequeuedAQueuedOneIs409() throws Exception {
        String id = submit("+8613800138300", FAR, 2, tag());
        JsonObject p = problem(stack.send(huibo, "POST", "/v1/callbacks/" + id + "/requeue", null), 409);
        assertThat(p.getString("detail")).contains("queued");

        assertThat(stack.delete(stack.api(huibo) + "/v1/callbacks/" + id, Stack.TOKEN).statusCode()).isEqualTo(200);
        JsonObject r = ok(stack.send(huibo, "POST", "/v1/callbacks/" + id + "/requeue", "{\"at\":\"" + FAR + "\"}"));
        assertThat(r.getString("state")).isEqualTo("queued");
        assertThat(r.getString("dueAt")).isEqualTo(FAR);
        // back in the schedule: a cancel finds it in Redis again
        assertThat(stack.delete(stack.api(huibo) + "/v1/callbacks/" + id, Stack.TOKEN).statusCode()).isEqualTo(200);

        problem(stack.send(huibo, "POST", "/v1/callbacks/01ARZ3NDEKTSV4RRFFQ69G5FAV/requeue", null), 404);
        assertThat(problem(stack.send(huibo, "POST", "/v1/callbacks/" + id + "/requeue", "{\"maxAttempts\":11}"), 400)
                .getString("field")).isEqualTo("maxAttempts");
    }

    @Test
    void aRequeueWhoseRedisWriteWasLostIsCompletedByItsRepeat() throws Exception {
        String id = submit("+8613800138400", FAR, 2, tag());
        // as after a crash between the MariaDB and the Redis write of a requeue: QUEUED, not in the schedule
        try (var client = io.lettuce.core.RedisClient.create("redis://127.0.0.1:6379"); var conn = client.connect()) {
            assertThat(conn.sync().zrem("{" + stack.redisPrefix + "}:ready:2", id)).isEqualTo(1L);
        }
        JsonObject r = ok(stack.send(huibo, "POST", "/v1/callbacks/" + id + "/requeue", null));
        assertThat(r.getString("state")).isEqualTo("queued");
        try (var client = io.lettuce.core.RedisClient.create("redis://127.0.0.1:6379"); var conn = client.connect()) {
            assertThat(conn.sync().zscore("{" + stack.redisPrefix + "}:ready:2", id)).isNotNull();
        }
        // indexed now: the next one is a plain conflict
        problem(stack.send(huibo, "POST", "/v1/callbacks/" + id + "/requeue", null), 409);
    }

    @Test
    void aRequeueCutOffBeforeItsRedisWriteIsIndexedByTheNextStart() throws Exception {
        String id = submit("+8613800138410", FAR, 2, tag());
        assertThat(stack.delete(stack.api(huibo) + "/v1/callbacks/" + id, Stack.TOKEN).statusCode()).isEqualTo(200);
        ok(stack.send(huibo, "POST", "/v1/callbacks/" + id + "/requeue", "{\"at\":\"" + FAR + "\"}"));
        String key = "{" + stack.redisPrefix + "}:ready:2";
        try (var client = io.lettuce.core.RedisClient.create("redis://127.0.0.1:6379"); var conn = client.connect()) {
            // the state a crash right after the MariaDB commit leaves: queued there, unknown to Redis
            assertThat(conn.sync().zrem(key, id)).isEqualTo(1L);
            // an instance starting (here a second one on the same MariaDB and Redis) indexes it again
            Stack.Proc second = stack.huibo(stack.huiboEnv(sim, 10));
            try {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> conn.sync().zscore(key, id) != null);
            } finally {
                second.terminate();
                second.waitFor(Duration.ofSeconds(20));
            }
        }
        assertThat(stack.callback(huibo, id).getString("state")).isEqualTo("queued");
    }

    // ------------------------------------------------------------------ reschedule

    @Test
    void patchReschedulesAQueuedCallback() throws Exception {
        String id = submit("+8613800138500", FAR, 0, tag());
        JsonObject moved = ok(stack.send(huibo, "PATCH", "/v1/callbacks/" + id,
                "{\"at\":\"2098-06-01T12:00:00+08:00\",\"priority\":6}"));
        assertThat(moved.getString("dueAt")).isEqualTo("2098-06-01T04:00:00Z");
        assertThat(moved.getInteger("priority")).isEqualTo(6);
        assertThat(stack.callback(huibo, id).getString("dueAt")).isEqualTo("2098-06-01T04:00:00Z");
        try (var client = io.lettuce.core.RedisClient.create("redis://127.0.0.1:6379"); var conn = client.connect()) {
            String k = "{" + stack.redisPrefix + "}:ready:";
            assertThat(conn.sync().zscore(k + "0", id)).isNull();
            Double score = conn.sync().zscore(k + "6", id);
            assertThat(score).isNotNull();
            assertThat((long) (score / 4096)).isEqualTo(Instant.parse("2098-06-01T04:00:00Z").toEpochMilli());
        }

        // due now: dialed and completed
        ok(stack.send(huibo, "PATCH", "/v1/callbacks/" + id, "{\"at\":\"2000-01-01T00:00:00Z\"}"));
        waitForState(id, "completed");
        problem(stack.send(huibo, "PATCH", "/v1/callbacks/" + id, "{\"priority\":1}"), 409);
        problem(stack.send(huibo, "PATCH", "/v1/callbacks/01ARZ3NDEKTSV4RRFFQ69G5FAV", "{\"priority\":1}"), 404);
        assertThat(problem(stack.send(huibo, "PATCH", "/v1/callbacks/" + id, "{\"priority\":10}"), 400)
                .getString("field")).isEqualTo("priority");
        problem(stack.send(huibo, "PATCH", "/v1/callbacks/" + id, "{}"), 400);

        JsonArray events = ok(get("/v1/callbacks/" + id + "/events")).getJsonArray("events");
        assertThat(events.getJsonObject(0).getString("to")).isEqualTo("queued");
        assertThat(events.getJsonObject(0).getString("detail")).contains("rescheduled");
    }

    // ------------------------------------------------------------------ bulk

    @Test
    void bulkJsonStoresTheGoodRowsAndAnswersEveryRow() throws Exception {
        String batch = tag();
        JsonObject meta = new JsonObject().put("batch", batch);
        JsonArray rows = new JsonArray()
                .add(new JsonObject().put("number", "+8613800138601").put("destination", "8001").put("at", FAR)
                        .put("metadata", meta))
                .add(new JsonObject().put("number", "8613800138602").put("destination", "8001"))
                .add(new JsonObject().put("number", "+8613800138603").put("destination", "8001").put("at", FAR)
                        .put("priority", 4).put("metadata", meta))
                .add("not an object")
                .add(new JsonObject().put("number", "+8613800138605").put("destination", "8001&PJSIP/x"));
        JsonObject r = ok(postRaw("/v1/callbacks/bulk", "application/json", rows.encode()));
        assertThat(r.getInteger("accepted")).isEqualTo(2);
        assertThat(r.getInteger("rejected")).isEqualTo(3);
        JsonArray results = r.getJsonArray("results");
        assertThat(results).hasSize(5);
        for (int i = 0; i < 5; i++) {
            assertThat(results.getJsonObject(i).getInteger("index")).isEqualTo(i);
        }
        assertThat(results.getJsonObject(0).getString("state")).isEqualTo("queued");
        assertThat(results.getJsonObject(1).getJsonObject("problem").getString("field")).isEqualTo("number");
        assertThat(results.getJsonObject(1).getJsonObject("problem").getInteger("status")).isEqualTo(400);
        assertThat(results.getJsonObject(3).getJsonObject("problem").getString("detail")).contains("object");
        assertThat(results.getJsonObject(4).getJsonObject("problem").getString("field")).isEqualTo("destination");

        Set<String> ids = Set.of(results.getJsonObject(0).getString("id"), results.getJsonObject(2).getString("id"));
        assertThat(new HashSet<>(allPages("metadata.batch=" + batch, 10, new int[1]))).isEqualTo(ids);
        assertThat(stack.callback(huibo, results.getJsonObject(2).getString("id")).getInteger("priority")).isEqualTo(4);
        assertThat(stack.count("SELECT COUNT(*) FROM callbacks WHERE number IN ('8613800138602','+8613800138605')"))
                .isZero();
        // scheduled too: cancellable like any submitted one
        assertThat(stack.delete(stack.api(huibo) + "/v1/callbacks/" + results.getJsonObject(0).getString("id"),
                Stack.TOKEN).statusCode()).isEqualTo(200);

        assertThat(problem(postRaw("/v1/callbacks/bulk", "application/json", "{\"number\":1}"), 400)).isNotNull();
        assertThat(problem(postRaw("/v1/callbacks/bulk", "application/xml", "<a/>"), 415).getString("field"))
                .isEqualTo("Content-Type");
    }

    @Test
    void bulkCsvStoresTheGoodRowsAndAnswersEveryRow() throws Exception {
        String batch = tag();
        String csv = "number,destination,at,priority,metadata.batch\r\n"
                + "+8613800138701,8001," + FAR + ",3," + batch + "\r\n"
                + "+8613800138702,8001," + FAR + ",eleven," + batch + "\r\n"
                + "+8613800138703,,," + "," + batch + "\r\n"
                + "\"+8613800138704\",\"8001\",\"" + FAR + "\",,\"" + batch + "\"\r\n";
        JsonObject r = ok(postRaw("/v1/callbacks/bulk", "text/csv; charset=utf-8", csv));
        assertThat(r.getInteger("accepted")).isEqualTo(2);
        assertThat(r.getInteger("rejected")).isEqualTo(2);
        JsonArray results = r.getJsonArray("results");
        assertThat(results.getJsonObject(0).getString("id")).isNotNull();
        assertThat(results.getJsonObject(1).getJsonObject("problem").getString("field")).isEqualTo("priority");
        assertThat(results.getJsonObject(2).getJsonObject("problem").getString("field")).isEqualTo("destination");
        assertThat(results.getJsonObject(3).getString("id")).isNotNull();
        assertThat(allPages("metadata.batch=" + batch, 10, new int[1])).hasSize(2);
        JsonObject first = stack.callback(huibo, results.getJsonObject(0).getString("id"));
        assertThat(first.getInteger("priority")).isEqualTo(3);
        assertThat(first.getString("dueAt")).isEqualTo(FAR);

        assertThat(problem(postRaw("/v1/callbacks/bulk", "text/csv", "number,destinaton\n+8613800138705,1\n"), 400)
                .getString("field")).isEqualTo("destinaton");
    }

    @Test
    void aBulkOfSeveralBatchesAnswersEveryRowInOrder() throws Exception {
        String batch = tag();
        int n = CallbackOperations.BULK_BATCH * 2 + 201;
        int bad = CallbackOperations.BULK_BATCH + 17;
        JsonArray rows = new JsonArray();
        for (int i = 0; i < n; i++) {
            rows.add(new JsonObject().put("number", i == bad ? "+86" : "+86139" + String.format("%08d", i))
                    .put("destination", "8001").put("at", FAR).put("metadata", new JsonObject().put("batch", batch)));
        }
        JsonObject r = ok(postRaw("/v1/callbacks/bulk", "application/json", rows.encode()));
        assertThat(r.getInteger("accepted")).isEqualTo(n - 1);
        assertThat(r.getInteger("rejected")).isEqualTo(1);
        JsonArray results = r.getJsonArray("results");
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < n; i++) {
            JsonObject row = results.getJsonObject(i);
            assertThat(row.getInteger("index")).isEqualTo(i);
            if (i == bad) {
                assertThat(row.getJsonObject("problem").getString("field")).isEqualTo("number");
            } else {
                ids.add(row.getString("id"));
            }
        }
        assertThat(ids).hasSize(n - 1);
        assertThat(stack.count("SELECT COUNT(*) FROM callbacks WHERE JSON_VALUE(metadata, '$.batch') = '"
                + batch + "'")).isEqualTo(n - 1);
        // the row at index i is the callback for row i
        assertThat(stack.callback(huibo, results.getJsonObject(bad + 1).getString("id")).getString("number"))
                .isEqualTo("+86139" + String.format("%08d", bad + 1));
    }

    @Test
    void bulkCancelByFilterCancelsTheQueuedOnesAndCounts() throws Exception {
        String batch = tag();
        List<String> queued = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            queued.add(submit("+86138001388" + (10 + i), FAR, 1, batch));
        }
        String done = submit("+8613800138820", null, 0, batch);
        waitForState(done, "completed");
        String otherBatch = submit("+8613800138821", FAR, 1, tag());

        JsonObject r = ok(stack.send(huibo, "POST", "/v1/callbacks/cancel?metadata.batch=" + batch, null));
        assertThat(r.getInteger("matched")).isEqualTo(4);
        assertThat(r.getInteger("cancelled")).isEqualTo(4);
        assertThat(r.getInteger("notCancelled")).isZero();
        for (String id : queued) {
            assertThat(stack.callback(huibo, id).getString("state")).isEqualTo("cancelled");
        }
        assertThat(stack.callback(huibo, done).getString("state")).isEqualTo("completed");
        assertThat(stack.callback(huibo, otherBatch).getString("state")).isEqualTo("queued");
        // again: nothing left to cancel
        assertThat(ok(stack.send(huibo, "POST", "/v1/callbacks/cancel?metadata.batch=" + batch, null))
                .getInteger("matched")).isZero();

        problem(stack.send(huibo, "POST", "/v1/callbacks/cancel", null), 400);
        problem(stack.send(huibo, "POST", "/v1/callbacks/cancel?state=queued", null), 400);
        assertThat(problem(stack.send(huibo, "POST", "/v1/callbacks/cancel?metadata.batch=" + batch
                + "&state=failed", null), 400).getString("field")).isEqualTo("state");
    }

    // ------------------------------------------------------------------ queue

    @Test
    void queueFiguresCountTheScheduleAndTheDialRate() throws Exception {
        // priority 8 is used by no other test of this class
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(submit("+86138001389" + (10 + i), "2098-01-01T00:00:00Z", 8, tag()));
        }
        String dialed = submit("+8613800138920", null, 0, tag());
        waitForState(dialed, "completed");

        JsonObject q = ok(get("/v1/queue"));
        JsonObject p8 = q.getJsonObject("byPriority").getJsonObject("8");
        assertThat(p8.getLong("waiting")).isEqualTo(3L);
        assertThat(p8.getLong("dueNow")).isZero();
        assertThat(q.getLong("waiting")).isGreaterThanOrEqualTo(3L);
        assertThat(q.getString("oldestDueAt")).isNotNull();
        assertThat(Instant.parse(q.getString("oldestDueAt"))).isBeforeOrEqualTo(Instant.parse("2098-01-01T00:00:00Z"));
        assertThat(q.getLong("attemptsLastMinute")).isGreaterThanOrEqualTo(1L);
        assertThat(q.getDouble("dialRatePerSecond")).isGreaterThan(0.0);
        assertThat(q.containsKey("leased")).isTrue();
        assertThat(q.containsKey("parked")).isTrue();

        // two of them due now: counted as due (and then dialed)
        ok(stack.send(huibo, "PATCH", "/v1/callbacks/" + ids.get(0), "{\"at\":\"2000-01-01T00:00:00Z\"}"));
        ok(stack.send(huibo, "PATCH", "/v1/callbacks/" + ids.get(1), "{\"priority\":7}"));
        JsonObject after = ok(get("/v1/queue"));
        assertThat(after.getJsonObject("byPriority").getJsonObject("8").getLong("waiting")).isLessThanOrEqualTo(2L);
        assertThat(after.getJsonObject("byPriority").getJsonObject("7").getLong("waiting")).isGreaterThanOrEqualTo(1L);
        waitForState(ids.get(0), "completed");
        assertThat(ok(get("/v1/queue")).getJsonObject("byPriority").getJsonObject("8").getLong("waiting"))
                .isEqualTo(1L);

        assertThat(problem(get("/v1/queue?x=1"), 400).getString("field")).isEqualTo("x");
    }
}
