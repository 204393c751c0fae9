package io.huibo.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.huibo.Stack;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 11, Observe: after a callback's life on the simulator, {@code /metrics} shows every metric
 * docs/metrics.md names (parsed from the doc, so doc and code cannot drift), the probes answer, and
 * with {@code HUIBO_LOG_FORMAT=json} every log line is JSON and the call's lines carry its id.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObserveIT {
    private static final Pattern DOC_NAME = Pattern.compile("^\\| `([a-z_]+)` \\|");
    private static final String NUMBER = "+8613800138000";

    private Stack stack;
    private Stack.Proc huibo;
    private String id;

    @BeforeAll
    void up() throws Exception {
        stack = new Stack();
        Stack.Proc sim = stack.sim(2, 10, "numbers: {}\n");
        Map<String, String> env = stack.huiboEnv(sim, 10);
        env.put("HUIBO_LOG_FORMAT", "json");
        huibo = stack.huibo(env);
        id = stack.submit(huibo, new JsonObject().put("number", NUMBER).put("destination", "+8613900139000"));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(stack.callback(huibo, id).getString("state")).isEqualTo("completed"));
    }

    @AfterAll
    void down() throws Exception {
        stack.close();
    }

    static List<String> documentedNames() throws Exception {
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("docs/metrics.md"))) {
            Matcher m = DOC_NAME.matcher(line);
            if (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    @Test
    void everyDocumentedMetricIsScraped() throws Exception {
        List<String> names = documentedNames();
        assertThat(names).hasSizeGreaterThan(30);
        // the queue gauges are sampled, the AMI event lag follows the call's events: give them a moment
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            HttpResponse<String> r = stack.get(stack.api(huibo) + "/metrics", null);
            assertThat(r.statusCode()).isEqualTo(200);
            List<String> missing = new ArrayList<>();
            for (String n : names) {
                if (!Pattern.compile("(?m)^" + Pattern.quote(n) + "(_count|_sum|_max|_bucket|_total)?[{ ]")
                        .matcher(r.body()).find()) {
                    missing.add(n);
                }
            }
            assertThat(missing).as("documented but not scraped").isEmpty();
        });
        String body = stack.get(stack.api(huibo) + "/metrics", null).body();
        // bounded labels: neither the callback id nor a number appears anywhere
        assertThat(body).doesNotContain(id).doesNotContain("8613800138000");
        assertThat(body).containsPattern("huibo_attempt_outcomes_total\\{[^}]*outcome=\"connected\"");
        // route templates, not paths
        assertThat(body).contains("route=\"").contains("/v1/callbacks/:id");
    }

    @Test
    void probesAnswerWithoutAToken() throws Exception {
        assertThat(stack.get(stack.api(huibo) + "/health/live", null).statusCode()).isEqualTo(200);
        HttpResponse<String> ready = stack.get(stack.api(huibo) + "/health/ready", null);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(ready.body()).getString("status")).isEqualTo("ready");
    }

    /** The running server serves its OpenAPI document both ways, without a token, the JSON the YAML's twin. */
    @Test
    void servesTheOpenApiDocument() throws Exception {
        HttpResponse<String> yaml = stack.get(stack.api(huibo) + "/openapi.yaml", null);
        assertThat(yaml.statusCode()).isEqualTo(200);
        assertThat(yaml.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/yaml"));
        assertThat(yaml.body()).startsWith("openapi: 3.1");
        HttpResponse<String> json = stack.get(stack.api(huibo) + "/openapi.json", null);
        assertThat(json.statusCode()).isEqualTo(200);
        assertThat(json.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonObject doc = new JsonObject(json.body());
        assertThat(doc).isEqualTo(io.huibo.api.OpenApiRoutes.toJson(yaml.body()));
        assertThat(doc.getJsonObject("paths").fieldNames()).contains("/v1/callbacks", "/openapi.json", "/metrics");
    }

    @Test
    void jsonLogLinesCarryTheCall() {
        List<JsonObject> lines = new ArrayList<>();
        for (String l : huibo.output()) {
            if (l.startsWith("huibo ready")) {
                continue;
            }
            lines.add(new JsonObject(l));
        }
        assertThat(lines).isNotEmpty().allSatisfy(j -> assertThat(j.getString("message")).isNotNull());
        JsonObject ended = lines.stream().filter(j -> id.equals(j.getString("callbackId"))
                && j.getString("message").contains("ended")).findFirst().orElseThrow(() ->
                new AssertionError("no line about " + id + " with its MDC in " + huibo.output()));
        assertThat(ended.getString("attempt")).isEqualTo("1");
        assertThat(ended.getString("node")).startsWith("sim");
        assertThat(ended.getString("channelId")).isEqualTo("hb-" + id + "-1");
        assertThat(String.join("\n", huibo.output())).doesNotContain(NUMBER);
    }
}
