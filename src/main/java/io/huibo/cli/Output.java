package io.huibo.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.function.Consumer;

/**
 * How every command answers: the API's JSON as it is with {@code --json} (errors too: the problem
 * document), else a human view on standard output and errors as one line on standard error. The exit
 * code says what happened, the same for every command: 0 done, 1 the server failed or is unreachable,
 * 2 bad usage or invalid input, 3 not found, 4 conflict, 5 unauthorized.
 */
final class Output {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int INVALID = 2;
    static final int NOT_FOUND = 3;
    static final int CONFLICT = 4;
    static final int UNAUTHORIZED = 5;

    private final boolean json;
    private final PrintStream out;
    private final PrintStream err;

    Output(boolean json, PrintStream out, PrintStream err) {
        this.json = json;
        this.out = out;
        this.err = err;
    }

    static int exitCode(int status) {
        if (status >= 200 && status < 300) {
            return OK;
        }
        return switch (status) {
            case 400, 413, 415, 422 -> INVALID;
            case 401, 403 -> UNAUTHORIZED;
            case 404 -> NOT_FOUND;
            case 409 -> CONFLICT;
            default -> FAILED;
        };
    }

    boolean json() {
        return json;
    }

    /** A JSON object answer, shown to humans by {@code human}. */
    int object(HttpResponse<String> r, Consumer<JsonObject> human) {
        if (failed(r)) {
            return exitCode(r.statusCode());
        }
        if (json) {
            out.println(r.body());
        } else {
            human.accept(parse(r.body()));
        }
        return OK;
    }

    /** A JSON object answer shown as {@code key: value} lines. */
    int object(HttpResponse<String> r) {
        return object(r, this::fields);
    }

    /** A list answer: {@code rows} picks the array out of the body; humans get a table of {@code columns}. */
    int table(HttpResponse<String> r, java.util.function.Function<String, JsonArray> rows, List<Table.Column> columns) {
        if (failed(r)) {
            return exitCode(r.statusCode());
        }
        if (json) {
            out.println(r.body());
        } else {
            out.print(Table.render(rows.apply(r.body()), columns));
        }
        return OK;
    }

    /** An answer without a body (204): {@code summary} says what was done, as JSON or as fields. */
    int done(HttpResponse<String> r, JsonObject summary) {
        if (failed(r)) {
            return exitCode(r.statusCode());
        }
        if (json) {
            out.println(summary.encode());
        } else {
            fields(summary);
        }
        return OK;
    }

    /** An answer printed as it came (CSV, text). */
    int raw(HttpResponse<String> r) {
        if (failed(r)) {
            return exitCode(r.statusCode());
        }
        out.print(r.body());
        return OK;
    }

    /** A refused or failed answer reported as every command reports one; its exit code. */
    int refusal(HttpResponse<String> r) {
        failed(r);
        return exitCode(r.statusCode());
    }

    /** Prints {@code key: value} lines, nested values as compact JSON. */
    void fields(JsonObject o) {
        int width = o.fieldNames().stream().mapToInt(String::length).max().orElse(0);
        for (String k : o.fieldNames()) {
            Object v = o.getValue(k);
            out.println(String.format("%-" + (width + 1) + "s %s", k + ":", Table.text(v)));
        }
    }

    PrintStream stdout() {
        return out;
    }

    /** Reports a refused or failed request; true if it was one. */
    private boolean failed(HttpResponse<String> r) {
        int s = r.statusCode();
        if (s >= 200 && s < 300) {
            return false;
        }
        if (json) {
            out.println(looksLikeJson(r.body()) ? r.body()
                    : new JsonObject().put("status", s).put("detail", r.body()).encode());
            return true;
        }
        String line = "HTTP " + s;
        if (looksLikeJson(r.body())) {
            JsonObject p = parse(r.body());
            line = p.getString("title", line) + " (HTTP " + s + ")";
            if (p.getString("detail") != null) {
                line += ": " + p.getString("detail");
            }
            if (p.getString("field") != null) {
                line += " [field " + p.getString("field") + "]";
            }
        } else if (!r.body().isBlank()) {
            line += ": " + r.body().strip();
        }
        err.println("huibo: " + line);
        return true;
    }

    private static boolean looksLikeJson(String body) {
        String b = body.strip();
        if (!b.startsWith("{")) {
            return false;
        }
        try {
            new JsonObject(b);
            return true;
        } catch (DecodeException e) {
            return false;
        }
    }

    private static JsonObject parse(String body) {
        try {
            return new JsonObject(body);
        } catch (DecodeException e) {
            throw new CliException(FAILED, "the server's answer is not JSON: " + abbreviate(body));
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
