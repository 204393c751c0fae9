package io.huibo.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code huibo callback tail}: the live events of callbacks ({@code GET /v1/events}), one line each (or
 * one JSON object per line with {@code --json}). A dropped stream is resumed from the last event seen,
 * so nothing is missed or shown twice; with {@code --until-ended} it ends when every named callback has.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = "Follow callbacks' state changes and attempt results as they happen.")
final class CallbackTailCommand implements Callable<Integer> {
    private static final Set<String> ENDED = Set.of("completed", "failed", "cancelled");
    /** How long to wait before reconnecting, as the stream's own {@code retry:} asks. */
    private static final long RECONNECT_MILLIS = 2000;

    @Mixin
    ApiOptions api;
    @Parameters(paramLabel = "ID", arity = "0..*", description = "callbacks to follow (default: all)")
    List<String> ids;
    @Option(names = "--number", description = "only callbacks of this number")
    String number;
    @Option(names = "--after", paramLabel = "EVENT_ID",
            description = "start after this event (default: a named callback's whole life; else from now)")
    Long after;
    @Option(names = "--until-ended", description = "stop once every named callback is completed, failed or cancelled")
    boolean untilEnded;

    @Override
    public Integer call() throws Exception {
        if (ids != null) {
            for (String id : ids) {
                if (!CallbackCommand.validId(id)) {
                    return Output.INVALID;
                }
            }
        }
        if (number != null && !DialinCommand.validNumber(number)) {
            return Output.INVALID;
        }
        boolean named = ids != null && !ids.isEmpty();
        if (untilEnded && !named) {
            throw new CliException(Output.INVALID, "--until-ended needs the callbacks' ids");
        }
        Output out = api.out();
        ApiClient client = api.client();
        Set<String> open = named ? new HashSet<>(ids) : new HashSet<>();
        Long start = after != null ? after : named ? Long.valueOf(0) : null;
        SseReader reader = new SseReader(f -> show(out, f, open));
        boolean connectedOnce = false;
        while (true) {
            String resume = reader.lastId() != null ? reader.lastId() : start == null ? null : start.toString();
            HttpResponse<Stream<String>> r;
            try {
                r = client.stream(path(), resume);
            } catch (CliException e) {
                if (!connectedOnce) {
                    throw e;
                }
                System.err.println("huibo: " + e.getMessage() + "; trying again");
                Thread.sleep(RECONNECT_MILLIS);
                continue;
            }
            if (r.statusCode() != 200) {
                String body;
                try (Stream<String> lines = r.body()) {
                    body = String.join("\n", lines.toList());
                }
                return out.refusal(new TextResponse(r, body));
            }
            connectedOnce = true;
            try (Stream<String> lines = r.body()) {
                var it = lines.iterator();
                while (it.hasNext()) {
                    reader.line(it.next());
                    if (untilEnded && open.isEmpty()) {
                        return Output.OK;
                    }
                }
            } catch (UncheckedIOException e) {
                // the connection broke: resume below from the last event seen
            }
            System.err.println("huibo: the event stream ended; resuming after event " + reader.lastId());
            Thread.sleep(RECONNECT_MILLIS);
        }
    }

    private String path() {
        StringBuilder p = new StringBuilder("/v1/events");
        char sep = '?';
        if (ids != null && !ids.isEmpty()) {
            p.append(sep).append("callback=").append(String.join(",", ids));
            sep = '&';
        }
        if (number != null) {
            p.append(sep).append("number=").append(URLEncoder.encode(number, StandardCharsets.UTF_8));
        }
        return p.toString();
    }

    private static void show(Output out, SseReader.Frame f, Set<String> open) {
        if ("dropped".equals(f.event())) {
            // the server let go of a reader too slow for it; the next connection resumes
            System.err.println("huibo: the server dropped this stream (" + f.data() + ")");
            return;
        }
        JsonObject e;
        try {
            e = new JsonObject(f.data());
        } catch (DecodeException ex) {
            return;
        }
        if ("state".equals(e.getString("type")) && ENDED.contains(e.getString("to"))) {
            open.remove(e.getString("callbackId"));
        }
        if (out.json()) {
            out.stdout().println(e.encode());
        } else {
            out.stdout().println(line(e));
        }
        out.stdout().flush();
    }

    static String line(JsonObject e) {
        String head = Table.text(e.getString("at")) + "  " + e.getString("callbackId") + "  ";
        if ("attempt".equals(e.getString("type"))) {
            StringBuilder s = new StringBuilder(head).append("attempt ").append(e.getValue("attempt")).append(": ")
                    .append(Table.text(e.getString("outcome")));
            if (e.getString("failedLeg") != null) {
                s.append(" (leg ").append(e.getString("failedLeg"));
                if (e.getValue("hangupCause") != null) {
                    s.append(", cause ").append(e.getValue("hangupCause"));
                }
                s.append(')');
            }
            return s.append(" on ").append(Table.text(e.getString("node"))).toString();
        }
        String from = e.getString("from");
        String s = head + (from == null ? "created, " + e.getString("to") : from + " -> " + e.getString("to"));
        return e.getString("detail") == null ? s : s + "  " + e.getString("detail");
    }

    /** A refused stream's answer as text, so it is reported like any other refusal. */
    private record TextResponse(HttpResponse<Stream<String>> r, String body) implements HttpResponse<String> {
        @Override
        public int statusCode() {
            return r.statusCode();
        }

        @Override
        public java.net.http.HttpRequest request() {
            return r.request();
        }

        @Override
        public java.util.Optional<HttpResponse<String>> previousResponse() {
            return java.util.Optional.empty();
        }

        @Override
        public java.net.http.HttpHeaders headers() {
            return r.headers();
        }

        @Override
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return r.sslSession();
        }

        @Override
        public java.net.URI uri() {
            return r.uri();
        }

        @Override
        public java.net.http.HttpClient.Version version() {
            return r.version();
        }
    }
}
