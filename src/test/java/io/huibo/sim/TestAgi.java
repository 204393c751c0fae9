package io.huibo.sim;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A tiny FastAGI server for the simulator's tests, answering the scripts dialplan/huibo.conf calls.
 *
 * <p>{@code route}: the callback id is {@code <legA>-<legB>} (split at the '-' before a digit), each leg a {@code ~}-separated list of
 * {@code number[@trunk]} (trunk defaults to {@code trunk}), set as HUIBO_DIAL_COUNT / HUIBO_DIAL_n with
 * HUIBO_RING_TIMEOUT 1. A leg B of {@code collect} sets HUIBO_COLLECT=1; the {@code collected=1} request then
 * dials the digits in agi_arg_3. A callback id prefixed {@code cid:} also gets HUIBO_CID / HUIBO_CIDNAME
 * ({@code +861001}, {@code Huibo A1} for leg A's first route, {@code +862001}, {@code Huibo B1} for leg B's). {@code report}: HUIBO_NEXT=1 for CONGESTION and CHANUNAVAIL (route failures).
 * {@code dialin}: reads CALLERID(num) and, for a step, HUIBO_PIN like Huibo; caller 1001 queued, 2001 pin (1234 good), 3001 collect,
 * anything else refused; a destination is queued when it is 5 to 20 digits.
 * Every session ends with {@code SET VARIABLE HUIBO_AGI_OK "1"}, as Huibo's do, unless the server cuts sessions off.
 * Every session's agi_* environment is kept in {@link #sessions}.
 */
final class TestAgi implements AutoCloseable {
    final ConcurrentLinkedQueue<Map<String, String>> sessions = new ConcurrentLinkedQueue<>();
    private final Vertx vertx = Vertx.vertx();
    private final int port;

    /** Closes every session after its script's first command, as an instance killed mid-script would. */
    private final boolean cutOff;

    TestAgi() throws Exception {
        this(false);
    }

    TestAgi(boolean cutOff) throws Exception {
        this.cutOff = cutOff;
        port = vertx.createNetServer().connectHandler(this::session).listen(0, "127.0.0.1").await().actualPort();
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    /** Environments of the sessions whose script starts with {@code prefix} and whose agi_arg_1 is {@code arg1}. */
    List<Map<String, String>> find(String prefix, String arg1) {
        List<Map<String, String>> out = new ArrayList<>();
        for (Map<String, String> env : sessions) {
            if (env.getOrDefault("agi_network_script", "").startsWith(prefix)
                && (arg1 == null || arg1.equals(env.get("agi_arg_1")))) {
                out.add(env);
            }
        }
        return out;
    }

    private void session(NetSocket sock) {
        Map<String, String> env = new HashMap<>();
        ArrayDeque<String> commands = new ArrayDeque<>();
        boolean[] envDone = {false};
        String[] callerNum = {null};
        String[] pin = {null};
        int[] sent = {0};
        boolean[] completed = {false};
        RecordParser p = RecordParser.newDelimited("\n", line -> {
            String l = line.toString();
            if (!envDone[0]) {
                if (!l.isEmpty()) {
                    int c = l.indexOf(": ");
                    env.put(l.substring(0, c), l.substring(c + 2));
                    return;
                }
                envDone[0] = true;
                sessions.add(Map.copyOf(env));
                commands.addAll(commandsFor(env));
            } else if (l.startsWith("200 result=1 (") && callerNum[0] == null) {
                callerNum[0] = l.substring("200 result=1 (".length(), l.length() - 1);
                if (env.getOrDefault("agi_network_script", "").contains("step=")) {
                    commands.add("GET VARIABLE HUIBO_PIN"); // like Huibo: the PIN is no AGI argument
                } else {
                    commands.addAll(dialin(env, callerNum[0], null));
                }
            } else if (callerNum[0] != null && pin[0] == null && l.startsWith("200 result=")
                    && env.getOrDefault("agi_network_script", "").contains("step=")) {
                pin[0] = l.startsWith("200 result=1 (") ? l.substring("200 result=1 (".length(), l.length() - 1) : "";
                commands.addAll(dialin(env, callerNum[0], pin[0]));
            } else if (!l.startsWith("200 ")) {
                return; // HANGUP after our close
            }
            if (cutOff && sent[0] > 0) {
                sock.close(); // gone without a word, after the script's first command
                return;
            }
            String next = commands.poll();
            if (next == null && !completed[0]) {
                completed[0] = true;
                next = "SET VARIABLE HUIBO_AGI_OK \"1\""; // like Huibo: the script ran to its end
            }
            if (next == null) {
                sock.end(); // half-close: the sim says HANGUP and closes, like Asterisk
            } else {
                sent[0]++;
                sock.write(next + "\n");
            }
        });
        sock.handler(p);
    }

    private static List<String> commandsFor(Map<String, String> env) {
        String script = env.getOrDefault("agi_network_script", "");
        List<String> out = new ArrayList<>();
        if (script.startsWith("dialin")) {
            out.add("GET VARIABLE CALLERID(num)");
        } else if (script.startsWith("report")) {
            String status = env.getOrDefault("agi_arg_4", "");
            out.add("SET VARIABLE HUIBO_NEXT \"" + (status.equals("CONGESTION") || status.equals("CHANUNAVAIL") ? "1" : "0") + "\"");
        } else if (script.startsWith("route")) {
            // Trunk names may hold '-' (carrier-bad): the legs split where a number or "collect" follows.
            String id = env.getOrDefault("agi_arg_1", "0-0");
            boolean cid = id.startsWith("cid:");
            String[] legs = (cid ? id.substring(4) : id).split("-(?=[0-9]|collect$)", 2);
            if (legs.length < 2) {
                legs = new String[] {legs[0], ""};
            }
            boolean legB = script.contains("leg=b");
            String spec = legB ? legs[1] : legs[0];
            if (script.contains("collected=1")) {
                spec = env.getOrDefault("agi_arg_3", "");
            } else if (legB && spec.equals("collect")) {
                out.add("SET VARIABLE HUIBO_COLLECT \"1\"");
                return out;
            }
            String[] routes = spec.isEmpty() ? new String[0] : spec.split("~");
            out.add("SET VARIABLE HUIBO_DIAL_COUNT \"" + routes.length + "\"");
            for (int i = 0; i < routes.length; i++) {
                String r = routes[i].contains("@") ? routes[i] : routes[i] + "@trunk";
                out.add("SET VARIABLE HUIBO_DIAL_" + (i + 1) + " \"PJSIP/" + r + "\"");
            }
            if (cid) {
                out.add("SET VARIABLE HUIBO_CID \"+86" + (legB ? "2" : "1") + "001\"");
                out.add("SET VARIABLE HUIBO_CIDNAME \"Huibo " + (legB ? "B" : "A") + "\"");
            }
            out.add("SET VARIABLE HUIBO_RING_TIMEOUT \"1\"");
        }
        return out;
    }

    private static List<String> dialin(Map<String, String> env, String caller, String pin) {
        String script = env.getOrDefault("agi_network_script", "");
        String result;
        if (script.contains("step=pin")) {
            result = "1234".equals(pin) ? "collect" : "refused";
        } else if (script.contains("step=destination")) {
            result = env.getOrDefault("agi_arg_1", "").matches("[0-9]{5,20}") ? "queued" : "refused";
        } else {
            result = switch (caller) {
                case "1001" -> "queued";
                case "2001" -> "pin";
                case "3001" -> "collect";
                default -> "refused";
            };
        }
        return List.of("SET VARIABLE HUIBO_RESULT " + result);
    }

    @Override
    public void close() throws Exception {
        vertx.close().await();
    }
}
