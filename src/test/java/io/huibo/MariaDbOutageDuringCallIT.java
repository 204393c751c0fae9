package io.huibo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, defect 4: MariaDB is unreachable when a connected call ends. The result is kept (and the
 * callback's lease with it) until MariaDB takes the write: the callback is completed once MariaDB is
 * back, and nobody is called again.
 */
class MariaDbOutageDuringCallIT {
    private static final String SCENARIO = """
            defaults:
              talk: 3s
            """;

    private Stack stack;
    private Stack.Proc sim;
    private TcpProxy db;

    @BeforeEach
    void up() throws Exception {
        stack = new Stack();
        sim = stack.sim(1, 10, SCENARIO);
        db = new TcpProxy("127.0.0.1", 3306);
    }

    @AfterEach
    void down() throws Exception {
        db.close();
        stack.close();
    }

    @Test
    void theResultOfACallThatEndsDuringTheOutageIsRecordedAfterIt() throws Exception {
        Map<String, String> env = stack.huiboEnv(sim, 10);
        env.put("HUIBO_DB_URL", "jdbc:mariadb://127.0.0.1:" + db.port() + "/" + stack.dbName);
        Stack.Proc huibo = stack.huibo(env);
        String id = stack.submit(huibo, new JsonObject().put("number", "+8613800007401")
                .put("destination", "+8613900007401").put("maxAttempts", 3));
        String later = stack.submit(huibo, new JsonObject().put("number", "+8613800007402")
                .put("destination", "+8613900007402").put("at", Instant.now().plusSeconds(3600).toString()));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            var calls = stack.simCallsOf(sim, id);
            return calls.size() == 1 && "answered".equals(calls.get(0).getString("legBOutcome"));
        });

        db.cut();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> !stack.simCallsOf(sim, id).get(0).getBoolean("live"));
        long cutAt = System.nanoTime();
        // the API says "retry" while MariaDB is away, not "internal error", and changes nothing
        for (HttpResponse<String> r : List.of(stack.send(huibo, "GET", "/v1/callbacks/" + id, null),
                stack.send(huibo, "DELETE", "/v1/callbacks/" + later, null))) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(r.headers().firstValue("Retry-After")).isPresent();
        }
        // long enough for the lease (3 s here) to run out, had it been dropped with the failed write
        Thread.sleep(Math.max(0, 8000 - (System.nanoTime() - cutAt) / 1_000_000));
        db.restore();

        await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(250))
                .until(() -> stack.callback(huibo, id).getString("state").matches("completed|failed"));
        Thread.sleep(2000);
        JsonObject cb = stack.callback(huibo, id);
        assertThat(cb.getString("state")).isEqualTo("completed");
        JsonArray attempts = cb.getJsonArray("attempts");
        assertThat(attempts).hasSize(1);
        assertThat(attempts.getJsonObject(0).getString("outcome")).isEqualTo("connected");
        assertThat(stack.simCallsOf(sim, id)).hasSize(1);
        // the cancel refused during the outage did nothing; repeated now, it goes through
        assertThat(stack.callback(huibo, later).getString("state")).isEqualTo("queued");
        assertThat(stack.send(huibo, "DELETE", "/v1/callbacks/" + later, null).statusCode()).isEqualTo(200);
    }
}
