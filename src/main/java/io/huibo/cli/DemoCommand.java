package io.huibo.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The client half of {@code scripts/demo}: submits callbacks whose numbers the simulator's default
 * scenario answers, keeps busy, lets ring or congests (by the last digit), follows them until they
 * end, and checks each ended the way its number implies.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, hidden = true,
        description = "Submit demo callbacks against a running Huibo + simulator and check their outcomes.")
public final class DemoCommand implements Callable<Integer> {
    @Mixin
    ApiOptions api;
    @Option(names = "--count", defaultValue = "30")
    int count;
    @Option(names = "--max-attempts", defaultValue = "2")
    int maxAttempts;
    @Option(names = "--timeout", defaultValue = "150", description = "seconds to wait for all to end")
    int timeoutSeconds;

    /** What the simulator's default scenario does with a number, by its last digit. */
    static String expectedState(String number) {
        char last = number.charAt(number.length() - 1);
        return switch (last) {
            case '7', '8', '9' -> "failed";
            default -> "completed";
        };
    }

    static String expectedOutcome(String number) {
        return switch (number.charAt(number.length() - 1)) {
            case '7' -> "busy";
            case '8' -> "no_answer";
            case '9' -> "congestion";
            default -> "connected";
        };
    }

    @Override
    public Integer call() throws Exception {
        ApiClient client = api.client();
        Map<String, String> numberById = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            // digits 0-9 in turn: 7 busy, 8 no answer, 9 congestion, the rest answer
            String number = String.format("+86138%07d", 1000 + i * 10 + (i % 10));
            String dest = String.format("+86139%07d", 2000 + i * 10 + (i % 7 == 6 ? 1 : i % 7));
            JsonObject body = new JsonObject().put("number", number).put("destination", dest)
                    .put("maxAttempts", maxAttempts).put("metadata", new JsonObject().put("demo", "#" + i));
            HttpResponse<String> r = client.send("POST", "/v1/callbacks", body.encode(), "demo-" + Instant.now().toEpochMilli() + "-" + i);
            if (r.statusCode() != 202) {
                System.err.println("submit failed: " + r.statusCode() + " " + r.body());
                return 1;
            }
            numberById.put(new JsonObject(r.body()).getString("id"), number);
        }
        System.out.printf("submitted %d callbacks%n", numberById.size());

        Map<String, JsonObject> last = new LinkedHashMap<>();
        Instant deadline = Instant.now().plusSeconds(timeoutSeconds);
        String previous = "";
        while (true) {
            Map<String, Integer> byState = new TreeMap<>();
            int open = 0;
            for (String id : numberById.keySet()) {
                JsonObject cb = last.get(id);
                if (cb == null || !isFinal(cb.getString("state"))) {
                    HttpResponse<String> r = client.send("GET", "/v1/callbacks/" + id, null, null);
                    if (r.statusCode() == 200) {
                        cb = new JsonObject(r.body());
                        last.put(id, cb);
                    }
                }
                String state = cb == null ? "unknown" : cb.getString("state");
                byState.merge(state, 1, Integer::sum);
                if (!isFinal(state)) {
                    open++;
                }
            }
            String line = byState.toString();
            if (!line.equals(previous)) {
                System.out.printf("%s  %s%n", Instant.now().toString().substring(11, 19), line);
                previous = line;
            }
            if (open == 0 || Instant.now().isAfter(deadline)) {
                break;
            }
            Thread.sleep(Duration.ofMillis(500).toMillis());
        }

        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> wrong = new ArrayList<>();
        for (var e : numberById.entrySet()) {
            JsonObject cb = last.get(e.getKey());
            String number = e.getValue();
            String state = cb == null ? "unknown" : cb.getString("state");
            JsonArray attempts = cb == null ? new JsonArray() : cb.getJsonArray("attempts");
            String lastOutcome = attempts.isEmpty() ? "none"
                    : String.valueOf(attempts.getJsonObject(attempts.size() - 1).getString("outcome"));
            outcomes.merge(state + " / " + lastOutcome, 1, Integer::sum);
            boolean ok = expectedState(number).equals(state) && expectedOutcome(number).equals(lastOutcome)
                    && (state.equals("completed") || attempts.size() == maxAttempts);
            if (!ok) {
                wrong.add(String.format("%s %s: %s after %d attempts (expected %s / %s)", e.getKey(), number, state,
                        attempts.size(), expectedState(number), expectedOutcome(number)));
            }
        }
        System.out.println();
        System.out.println("summary (final state / last outcome):");
        outcomes.forEach((k, v) -> System.out.printf("  %-28s %3d%n", k, v));
        if (!wrong.isEmpty()) {
            System.out.println("NOT as the scenario implies:");
            wrong.forEach(w -> System.out.println("  " + w));
            return 1;
        }
        System.out.printf("all %d callbacks ended as their numbers' scenarios imply%n", numberById.size());
        return 0;
    }

    private static boolean isFinal(String state) {
        return "completed".equals(state) || "failed".equals(state) || "cancelled".equals(state);
    }
}
