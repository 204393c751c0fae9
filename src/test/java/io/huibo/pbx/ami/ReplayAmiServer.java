package io.huibo.pbx.ami;

import io.huibo.pbx.*;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal AMI server for tests that answers with the bytes real Asterisk 20.20.1 sent to asterisk-java
 * 3.41.0 (extra/ajava-session.txt and extra/ajava-login-badsecret.txt). Each recorded message is tied to
 * the client action that caused it (by the recorded ActionID; unsolicited events go with the latest
 * Login or Originate), and is replayed with the live ActionID and our ChannelId put in place of the
 * recorded ones. The Login key is checked for real (MD5 of challenge + secret).
 */
final class ReplayAmiServer implements AutoCloseable {
    private static final String RECORDED_CHANNEL_ID = "cb-123-1";

    /** recorded blocks per action name (lower-case), and the recorded ActionID of that action */
    private final Map<String, List<String>> blocks = new LinkedHashMap<>();
    private final Map<String, String> recordedActionIds = new LinkedHashMap<>();
    private final String badLoginBlock;
    private final String badLoginActionId;
    private final String challenge;
    private final String secret;
    private final ServerSocket server;
    private final Thread acceptor;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    /** every action received, headers as "key: value" lines (keys lower-case, in order) */
    final List<List<String>> received = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger loginsOk = new AtomicInteger();
    final AtomicInteger loginsFailed = new AtomicInteger();
    /** AstDB of the node, "family/key" -> value, answered to DBGet as Asterisk 20 does. */
    final Map<String, String> astdb = new java.util.concurrent.ConcurrentHashMap<>();
    volatile boolean silentOriginate;
    volatile boolean closeOnConnect;
    private final List<Socket> silenced = new CopyOnWriteArrayList<>();

    ReplayAmiServer(String secret) throws Exception {
        this.secret = secret;
        Path extra = AmiTrace.ROOT.resolve("extra");
        Map<String, String> actionByRecordedId = new LinkedHashMap<>();
        for (AmiTrace.Message m : AmiTrace.messages(AmiTrace.read(extra.resolve("ajava-session.sent.txt")))) {
            String action = m.get("action").toLowerCase(Locale.ROOT);
            actionByRecordedId.put(m.get("actionid"), action);
            recordedActionIds.put(action, m.get("actionid"));
        }
        String owner = null;
        String chal = null;
        for (AmiTrace.Message m : AmiTrace.messages(AmiTrace.read(extra.resolve("ajava-session.txt")))) {
            String action = actionByRecordedId.get(m.get("actionid"));
            if (action == null) {
                action = owner; // unsolicited: belongs to the latest Login or Originate
            } else if (m.isResponse() && (action.equals("login") || action.equals("originate"))) {
                owner = action;
            }
            if (m.get("challenge") != null) {
                chal = m.get("challenge");
            }
            blocks.computeIfAbsent(action, k -> new ArrayList<>()).add(m.raw() + "\r\n\r\n");
        }
        this.challenge = chal;
        List<AmiTrace.Message> bad = AmiTrace.messages(AmiTrace.read(extra.resolve("ajava-login-badsecret.txt")));
        AmiTrace.Message badLogin = bad.stream().filter(m -> "Error".equals(m.get("response"))).findFirst()
                .orElseThrow();
        this.badLoginBlock = badLogin.raw() + "\r\n\r\n";
        this.badLoginActionId = badLogin.get("actionid");
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "replay-ami-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Closes every client socket (a crash or restart of Asterisk as the client sees it). */
    void dropAll() {
        for (Socket s : open) {
            closeQuietly(s);
        }
    }

    /** Current connections stop answering anything but keep the socket open (a silent network drop). */
    void silenceCurrent() {
        silenced.addAll(open);
    }

    List<List<String>> actions(String name) {
        return received.stream().filter(a -> a.contains("action: " + name.toLowerCase(Locale.ROOT))
                || a.stream().anyMatch(l -> l.equalsIgnoreCase("action: " + name))).toList();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                if (closeOnConnect) {
                    s.close();
                    continue;
                }
                open.add(s);
                Thread t = new Thread(() -> serve(s), "replay-ami-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        String lastChannelId = RECORDED_CHANNEL_ID;
        try (s) {
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            write(out, "Asterisk Call Manager/9.0.0\r\n");
            List<String> lines = new ArrayList<>();
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isEmpty()) {
                    lines.add(line);
                    continue;
                }
                if (lines.isEmpty()) {
                    continue;
                }
                List<String> action = normalize(lines);
                lines = new ArrayList<>();
                received.add(action);
                if (silenced.contains(s)) {
                    continue;
                }
                String name = header(action, "action").toLowerCase(Locale.ROOT);
                String actionId = header(action, "actionid");
                switch (name) {
                    case "login" -> {
                        String expected = md5(challenge + secret);
                        if (!expected.equalsIgnoreCase(header(action, "key"))) {
                            loginsFailed.incrementAndGet();
                            write(out, badLoginBlock.replace(badLoginActionId, actionId));
                            return; // Asterisk closes the socket after a failed login
                        }
                        loginsOk.incrementAndGet();
                        replay(out, name, actionId, lastChannelId);
                    }
                    case "originate" -> {
                        if (silentOriginate) {
                            continue;
                        }
                        lastChannelId = header(action, "channelid");
                        replay(out, name, actionId, lastChannelId);
                    }
                    case "dbget" -> write(out, dbGet(header(action, "family"), header(action, "key"), actionId));
                    case "logoff" -> {
                        replay(out, name, actionId, lastChannelId);
                        return;
                    }
                    default -> {
                        if (blocks.containsKey(name)) {
                            replay(out, name, actionId, lastChannelId);
                        } else {
                            write(out, "Response: Error\r\nActionID: " + actionId
                                    + "\r\nMessage: Invalid/unknown command\r\n\r\n");
                        }
                    }
                }
            }
        } catch (IOException e) {
            // client went away
        } finally {
            open.remove(s);
        }
    }

    private void replay(OutputStream out, String action, String actionId, String channelId) throws IOException {
        String recordedId = recordedActionIds.get(action);
        StringBuilder sb = new StringBuilder();
        for (String b : blocks.getOrDefault(action, List.of())) {
            String x = recordedId == null ? b : b.replace(recordedId, actionId);
            sb.append(x.replace(RECORDED_CHANNEL_ID, channelId));
        }
        write(out, sb.toString());
    }

    /** main/db.c manager_dbget of Asterisk 20. */
    private String dbGet(String family, String key, String actionId) {
        String id = "ActionID: " + actionId + "\r\n";
        String val = astdb.get(family + "/" + key);
        if (val == null) {
            return "Response: Error\r\n" + id + "Message: Database entry not found\r\n\r\n";
        }
        return "Response: Success\r\n" + id + "EventList: start\r\nMessage: Result will follow\r\n\r\n"
                + "Event: DBGetResponse\r\nFamily: " + family + "\r\nKey: " + key + "\r\nVal: " + val + "\r\n" + id
                + "\r\n"
                + "Event: DBGetComplete\r\n" + id + "EventList: Complete\r\nListItems: 1\r\n\r\n";
    }

    private static List<String> normalize(List<String> lines) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            int c = l.indexOf(':');
            if (c > 0) {
                out.add(l.substring(0, c).trim().toLowerCase(Locale.ROOT) + ": " + l.substring(c + 1).trim());
            }
        }
        return out;
    }

    static String header(List<String> action, String key) {
        String prefix = key.toLowerCase(Locale.ROOT) + ": ";
        return action.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()))
                .findFirst().orElse("");
    }

    static List<String> headers(List<String> action, String key) {
        String prefix = key.toLowerCase(Locale.ROOT) + ": ";
        return action.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).toList();
    }

    private static synchronized void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String md5(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        dropAll();
    }
}
