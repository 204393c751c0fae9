package io.huibo.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code huibo callback list}: {@code GET /v1/callbacks} with its filters, as a table or JSON. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "List callbacks, newest first.")
final class CallbackListCommand implements Callable<Integer> {
    private static final List<Table.Column> COLUMNS = List.of(Table.Column.of("id"), Table.Column.of("state"),
            Table.Column.of("number"), Table.Column.of("destination"), Table.Column.of("priority"),
            new Table.Column("attempts", cb -> cb.getInteger("attemptCount") + "/" + cb.getInteger("maxAttempts")),
            Table.Column.of("dueAt"));
    @Mixin
    ApiOptions api;
    @Option(names = "--state", split = ",", description = "queued, dialing, completed, failed, cancelled (comma-separated)")
    List<String> states;
    @Option(names = "--number", description = "the requester's number")
    String number;
    @Option(names = "--destination", description = "the destination")
    String destination;
    @Option(names = "--node", description = "an attempt was made on this node")
    String node;
    @Option(names = "--created-from", paramLabel = "TIME") String createdFrom;
    @Option(names = "--created-to", paramLabel = "TIME") String createdTo;
    @Option(names = "--due-from", paramLabel = "TIME") String dueFrom;
    @Option(names = "--due-to", paramLabel = "TIME") String dueTo;
    @Option(names = "--ended-from", paramLabel = "TIME") String endedFrom;
    @Option(names = "--ended-to", paramLabel = "TIME") String endedTo;
    @Option(names = "--meta", paramLabel = "KEY=VALUE", description = "metadata entry (repeatable)")
    Map<String, String> metadata;
    @Option(names = "--limit", description = "callbacks per page, 1-500 (default 50)")
    Integer limit;
    @Option(names = "--cursor", description = "the page after this cursor (from a --json answer)")
    String cursor;
    @Option(names = "--all", description = "follow the cursors to the last page")
    boolean all;

    /** The filters as query parameters, in a fixed order; values URL-encoded. */
    String query() {
        Map<String, String> q = new LinkedHashMap<>();
        if (states != null && !states.isEmpty()) {
            q.put("state", String.join(",", states));
        }
        q.put("number", number);
        q.put("destination", destination);
        q.put("node", node);
        q.put("createdFrom", createdFrom);
        q.put("createdTo", createdTo);
        q.put("dueFrom", dueFrom);
        q.put("dueTo", dueTo);
        q.put("endedFrom", endedFrom);
        q.put("endedTo", endedTo);
        if (metadata != null) {
            metadata.forEach((k, v) -> q.put("metadata." + k, v));
        }
        q.put("limit", limit == null ? null : limit.toString());
        StringBuilder sb = new StringBuilder();
        q.forEach((k, v) -> {
            if (v != null) {
                sb.append(sb.length() == 0 ? "" : "&").append(enc(k)).append('=').append(enc(v));
            }
        });
        return sb.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public Integer call() throws Exception {
        Output out = api.out();
        ApiClient client = api.client();
        String base = "/v1/callbacks?" + query();
        List<JsonObject> items = new ArrayList<>();
        String next = cursor;
        do {
            String path = base + (next == null ? "" : (base.endsWith("?") ? "" : "&") + "cursor=" + enc(next));
            HttpResponse<String> r = client.send("GET", path, null, null);
            if (r.statusCode() != 200) {
                return out.refusal(r);
            }
            JsonObject page = new JsonObject(r.body());
            JsonArray arr = page.getJsonArray("items");
            for (int i = 0; i < arr.size(); i++) {
                items.add(arr.getJsonObject(i));
            }
            next = page.getString("nextCursor");
        } while (all && next != null);
        if (out.json()) {
            out.stdout().println(new JsonObject().put("items", new JsonArray(new ArrayList<>(items)))
                    .put("nextCursor", next).encode());
            return Output.OK;
        }
        out.stdout().print(Table.render(new JsonArray(new ArrayList<>(items)), COLUMNS));
        if (next != null) {
            out.stdout().println("(more: --cursor " + next + ", or --all)");
        }
        return Output.OK;
    }
}
