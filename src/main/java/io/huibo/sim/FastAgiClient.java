package io.huibo.sim;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Plays Asterisk's side of one FastAGI session (res_agi): sends the agi_* environment (LF only, blank line),
 * answers commands like Asterisk 20 does, and when the server closes its side sends {@code HANGUP\n} and closes.
 * The result carries AGISTATUS (SUCCESS, or FAILURE when the server cannot be reached).
 */
final class FastAgiClient {
    record Result(String agiStatus) {}

    /** What the channel shows on AMI while the session runs (AGIExecStart, AGIExecEnd). */
    interface Listener {
        void execStart(int commandId, String command);

        void execEnd(int commandId, String command, int resultCode);
    }

    /** The channel running AGI(): GET VARIABLE reads through it, SET VARIABLE writes through it (with its VarSet). */
    interface Channel {
        SimChannel sim();

        /** A variable or a function such as CALLERID(num); null when not set. */
        String get(String name);

        void set(String name, String value);

        /** GET FULL VARIABLE: the text with ${...} substituted. */
        String expand(String text);
    }

    private static final long SESSION_LIMIT_MS = 30_000;

    private final Vertx vertx;
    private final NetClient client;

    FastAgiClient(Vertx vertx, NetClient client) {
        this.vertx = vertx;
        this.client = client;
    }

    /**
     * Runs one session.
     *
     * @param hostPort  "host:port" of the AGI server
     * @param script    e.g. {@code route?leg=a}
     * @param channel   the channel running AGI(); its variables are read and written by the session
     * @param listener  told about every command (to emit the AMI events)
     */
    Future<Result> run(String hostPort, String script, List<String> args, Channel channel, Listener listener) {
        int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
        if (colon <= 0) {
            return Future.succeededFuture(new Result("FAILURE"));
        }
        String host = hostPort.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            return Future.succeededFuture(new Result("FAILURE"));
        }
        Promise<Result> done = Promise.promise();
        client.connect(port, host).onComplete(ar -> {
            if (ar.failed()) {
                done.tryComplete(new Result("FAILURE"));
                return;
            }
            NetSocket socket = ar.result();
            socket.write(environment(hostPort, script, args, channel.sim()));
            boolean[] closed = {false};
            RecordParser parser = RecordParser.newDelimited("\n", line -> {
                String cmd = line.toString().replace("\r", "");
                if (cmd.isBlank()) {
                    return;
                }
                String c = cmd.trim();
                int id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
                listener.execStart(id, c);
                String reply = answer(c, channel);
                listener.execEnd(id, c, Integer.parseInt(reply.substring(0, 3)));
                socket.write(reply);
            });
            socket.handler(parser);
            long guard = vertx.setTimer(SESSION_LIMIT_MS, t -> socket.close());
            // Server closed (or half-closed) its side: Asterisk reports HANGUP, then closes.
            socket.endHandler(v -> {
                if (!closed[0]) {
                    closed[0] = true;
                    socket.write("HANGUP\n").onComplete(w -> socket.close());
                }
            });
            socket.closeHandler(v -> {
                vertx.cancelTimer(guard);
                done.tryComplete(new Result("SUCCESS"));
            });
        });
        return done.future();
    }

    static String environment(String hostPort, String script, List<String> args, SimChannel ch) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("agi_network", "yes");
        env.put("agi_network_script", script);
        env.put("agi_request", "agi://" + hostPort + "/" + script);
        env.put("agi_channel", ch.name);
        env.put("agi_language", "en");
        env.put("agi_type", ch.type);
        env.put("agi_uniqueid", ch.uniqueid);
        env.put("agi_version", AmiSession.ASTERISK_VERSION);
        env.put("agi_callerid", ch.callerIdNum.equals("<unknown>") ? "unknown" : ch.callerIdNum);
        env.put("agi_calleridname", ch.callerIdName.equals("<unknown>") ? "unknown" : ch.callerIdName);
        env.put("agi_callingpres", String.valueOf(ch.callingPres));
        env.put("agi_callingani2", "0");
        env.put("agi_callington", "0");
        env.put("agi_callingtns", "0");
        env.put("agi_dnid", ch.dnid);
        env.put("agi_rdnis", "unknown");
        env.put("agi_context", ch.context);
        env.put("agi_extension", ch.exten);
        env.put("agi_priority", String.valueOf(ch.priority));
        env.put("agi_enhanced", "0.0");
        env.put("agi_accountcode", "");
        env.put("agi_threadid", String.valueOf(Thread.currentThread().getId()));
        for (int i = 0; i < args.size(); i++) {
            env.put("agi_arg_" + (i + 1), args.get(i));
        }
        StringBuilder sb = new StringBuilder(512);
        env.forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
        return sb.append('\n').toString();
    }

    static String answer(String cmd, Channel ch) {
        List<String> w = words(cmd);
        String c0 = w.isEmpty() ? "" : w.get(0).toUpperCase();
        String c1 = w.size() > 1 ? w.get(1).toUpperCase() : "";
        if (c0.equals("SET") && c1.equals("VARIABLE") && w.size() >= 3) {
            ch.set(w.get(2), w.size() > 3 ? w.get(3) : "");
            return "200 result=1\n";
        }
        if (c0.equals("GET") && c1.equals("VARIABLE") && w.size() >= 3) {
            String v = ch.get(w.get(2));
            return v == null ? "200 result=0\n" : "200 result=1 (" + v + ")\n";
        }
        if (c0.equals("GET") && c1.equals("FULL") && w.size() >= 4) {
            return "200 result=1 (" + ch.expand(w.get(3)) + ")\n";
        }
        return switch (c0) {
            case "VERBOSE" -> "200 result=1\n";
            case "ANSWER", "NOOP", "EXEC" -> "200 result=0\n";
            case "HANGUP" -> "200 result=1\n";
            case "STREAM" -> "200 result=0 endpos=3520\n";
            case "CHANNEL" -> c1.equals("STATUS") ? "200 result=" + ch.sim().state + "\n" : "510 Invalid or unknown command\n";
            default -> "510 Invalid or unknown command\n";
        };
    }

    /** Splits an AGI command line into words, honouring double quotes (as res_agi's parse_args does). */
    static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                cur.append(line.charAt(++i));
                any = true;
            } else if (c == '"') {
                quoted = !quoted;
                any = true;
            } else if (c == ' ' && !quoted) {
                if (any) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    any = false;
                }
            } else {
                cur.append(c);
                any = true;
            }
        }
        if (any) {
            out.add(cur.toString());
        }
        return out;
    }
}
