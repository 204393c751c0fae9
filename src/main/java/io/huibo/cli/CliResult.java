package io.huibo.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;

/**
 * How the operator commands answer: the exit code of an HTTP answer (0 ok, 1 server error, 2 invalid
 * request, 3 not found, 4 conflict, 5 unauthorized; a network error is 1 through picocli, and bad usage
 * is 2), and an error as one line on stderr (or the problem as JSON on stdout with {@code --json}).
 */
final class CliResult {
    static final int OK = 0;
    static final int SERVER = 1;
    static final int INVALID = 2;
    static final int NOT_FOUND = 3;
    static final int CONFLICT = 4;
    static final int UNAUTHORIZED = 5;

    private CliResult() {
    }

    static int exitCode(int status) {
        if (status >= 200 && status < 300) {
            return OK;
        }
        return switch (status) {
            case 400, 413, 415 -> INVALID;
            case 401, 403 -> UNAUTHORIZED;
            case 404 -> NOT_FOUND;
            case 409 -> CONFLICT;
            default -> SERVER;
        };
    }

    /** A failed answer: its problem printed (JSON or one line), and its exit code. */
    static int failure(HttpResponse<String> r, boolean json) {
        if (json) {
            System.out.println(r.body().isEmpty() ? new JsonObject().put("status", r.statusCode()).encode() : r.body());
        } else {
            String detail = r.body();
            try {
                JsonObject p = new JsonObject(r.body());
                detail = p.getString("detail", r.body()) + (p.getString("field") == null ? ""
                        : " (" + p.getString("field") + ")");
            } catch (DecodeException | ClassCastException e) {
                // not a problem document: shown as it came
            }
            System.err.println("huibo: HTTP " + r.statusCode() + ": " + detail);
        }
        return exitCode(r.statusCode());
    }

    /** The server could not be reached (or did not answer): one line, exit code 1. */
    static int unreachable(java.io.IOException e) {
        System.err.println("huibo: the API did not answer: " + e);
        return SERVER;
    }

    static String cell(Object v) {
        return v == null ? "-" : v.toString();
    }
}
