package io.huibo.agi;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What Asterisk tells a FastAGI script before the first command: the {@code agi_*} environment as
 * sent, the script name and query split out of {@code agi_network_script} ({@code route?leg=a} is
 * script {@code route}, query {@code leg=a}), and the {@code agi_arg_N} arguments in order.
 *
 * @param env    every {@code agi_*} line, key without change (e.g. {@code agi_channel})
 * @param script the path part of {@code agi_network_script}; empty when the URL had no path
 * @param query  query parameters, percent-decoded; the first value wins for a repeated key
 * @param args   {@code agi_arg_1} .. {@code agi_arg_N}, index 0 holds arg 1
 */
public record AgiRequest(Map<String, String> env, String script, Map<String, String> query, List<String> args) {

    public AgiRequest {
        env = Map.copyOf(env);
        Objects.requireNonNull(script, "script");
        query = Map.copyOf(query);
        args = List.copyOf(args);
    }

    /** 1-based like {@code agi_arg_N}; null when Asterisk did not send that argument. */
    public String arg(int n) {
        return n >= 1 && n <= args.size() ? args.get(n - 1) : null;
    }

    /** A query parameter of the script URL, or null. */
    public String param(String name) {
        return query.get(name);
    }

    public String get(String envKey) {
        return env.get(envKey);
    }

    public String channel() {
        return env.get("agi_channel");
    }

    public String uniqueId() {
        return env.get("agi_uniqueid");
    }
}
