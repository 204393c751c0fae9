package io.huibo.sim;

import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.Locale;

/**
 * One AMI connection, behaving like Asterisk 20.20.1's manager.c for the actions Huibo uses.
 * Runs on its node's event loop.
 */
final class AmiSession {
    static final String BANNER = "Asterisk Call Manager/9.0.0\r\n";
    static final String ASTERISK_VERSION = "20.20.1";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter TV = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

    private final SimNode node;
    private final NetSocket socket;
    private final String sessionId = "0x" + Long.toHexString(0x7f0000000000L | (RANDOM.nextLong() & 0xffffffffffL));
    private final String sessionTv = OffsetDateTime.now(ZoneOffset.UTC).format(TV);
    private AmiMessage pending = new AmiMessage();
    private String challenge;
    private boolean authenticated;
    /** Event classes this session receives (Login's or the Events action's mask); null: all. */
    private java.util.Set<String> eventClasses;
    private boolean closing;
    private boolean started;
    /** Packets held back by a slow node, oldest first, each with the time it may leave. */
    private final ArrayDeque<Object[]> delayed = new ArrayDeque<>();
    private long drainTimer = -1;

    AmiSession(SimNode node, NetSocket socket) {
        this.node = node;
        this.socket = socket;
        socket.closeHandler(v -> node.sessionClosed(this));
    }

    void start() {
        started = true;
        socket.write(BANNER);
        // Asterisk reads lines up to the blank line; accept bare LF too.
        socket.handler(RecordParser.newDelimited("\n", buf -> onLine(buf.toString(StandardCharsets.UTF_8))));
    }

    /**
     * Like Asterisk's session event mask: an event goes out when one of the classes in its
     * Privilege header (call, dialplan, agi, system, security, ...) is in the mask.
     */
    boolean takes(String privilege) {
        if (!authenticated || closing) {
            return false;
        }
        if (eventClasses == null || privilege == null) {
            return true;
        }
        for (String c : privilege.split(",")) {
            if (eventClasses.contains(c.trim().toLowerCase(java.util.Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    /** "on" or absent: everything; "off": nothing; otherwise a list of classes. */
    private static java.util.Set<String> parseMask(String mask) {
        if (mask == null || mask.isBlank() || mask.equalsIgnoreCase("on") || mask.equalsIgnoreCase("all")) {
            return null;
        }
        java.util.Set<String> classes = new java.util.HashSet<>();
        if (!mask.equalsIgnoreCase("off")) {
            for (String c : mask.split(",")) {
                classes.add(c.trim().toLowerCase(java.util.Locale.ROOT));
            }
        }
        return classes;
    }

    /** A broadcast event (security, ...) that only this session hears: event mask, then eventfilter. */
    private void sendEvent(AmiMessage event) {
        if (takes(event.get("Privilege"))) {
            String text = event.encode();
            if (node.eventFilter().passes(text)) {
                send(text);
            }
        }
    }

    void send(AmiMessage m) {
        send(m.encode());
    }

    /** Writes an encoded packet, behind whatever a slow node still holds back. */
    void send(String text) {
        if (closing || node.silent()) {
            return;
        }
        long delay = node.delayMs();
        if (delay <= 0 && delayed.isEmpty()) {
            socket.write(text);
            return;
        }
        // Slow node: everything queues behind what is already held back, so order never changes.
        long now = System.currentTimeMillis();
        long due = Math.max(now + delay, delayed.isEmpty() ? 0 : (long) delayed.peekLast()[0]);
        delayed.addLast(new Object[] {due, text});
        if (drainTimer < 0) {
            drainTimer = node.vertx().setTimer(Math.max(1, due - now), t -> drain());
        }
    }

    private void drain() {
        drainTimer = -1;
        long now = System.currentTimeMillis();
        while (!delayed.isEmpty() && (long) delayed.peekFirst()[0] <= now) {
            String text = (String) delayed.pollFirst()[1];
            if (!closing) {
                socket.write(text);
            }
        }
        if (!delayed.isEmpty()) {
            drainTimer = node.vertx().setTimer(Math.max(1, (long) delayed.peekFirst()[0] - now), t -> drain());
        }
    }

    void pause() {
        socket.pause();
    }

    /** After silent mode: read again, or greet for the first time if the client connected while silent. */
    void resume() {
        if (started) {
            socket.resume();
        } else {
            start();
            socket.resume();
        }
    }

    void close() {
        closing = true;
        socket.close();
    }

    private void onLine(String raw) {
        String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
        if (line.isEmpty()) {
            if (!pending.isEmpty()) {
                AmiMessage action = pending;
                pending = new AmiMessage();
                handle(action);
            }
            return;
        }
        pending.parseLine(line);
    }

    private void handle(AmiMessage a) {
        if (closing) {
            return;
        }
        String action = a.get("Action");
        String id = a.get("ActionID");
        if (action == null) {
            send(AmiMessage.response("Error", id).add("Message", "Missing action in request"));
            return;
        }
        String act = action.toLowerCase(Locale.ROOT);
        if (!authenticated && !act.equals("login") && !act.equals("challenge") && !act.equals("logoff")) {
            send(AmiMessage.response("Error", id).add("Message", "Permission denied"));
            return;
        }
        if (ActionAuthority.known(act) && !node.eventFilter().mayRun(act)) {
            send(AmiMessage.response("Error", id).add("Message", "Permission denied"));
            sendEvent(AmiMessage.event("RequestNotAllowed", "security,all")
                .add("EventTV", OffsetDateTime.now(ZoneOffset.UTC).format(TV)).add("Severity", "Error")
                .add("Service", "AMI").add("EventVersion", 1).add("AccountID", node.user()).add("SessionID", sessionId)
                .add("LocalAddress", address(socket.localAddress())).add("RemoteAddress", address(socket.remoteAddress()))
                .add("RequestType", "Action: " + action).add("SessionTV", sessionTv));
            return;
        }
        switch (act) {
            case "challenge" -> challenge(a, id);
            case "login" -> login(a, id);
            case "logoff" -> {
                send(AmiMessage.response("Goodbye", id).add("Message", "Thanks for all the fish."));
                close();
            }
            case "ping" -> send(AmiMessage.response("Success", id).add("Ping", "Pong").add("Timestamp", timestamp()));
            case "coresettings" -> send(AmiMessage.response("Success", id)
                .add("AMIversion", "9.0.0").add("AsteriskVersion", ASTERISK_VERSION).add("SystemName", "")
                .add("CoreMaxCalls", 0).add("CoreMaxLoadAvg", "0.000000").add("CoreRunUser", "")
                .add("CoreRunGroup", "").add("CoreMaxFilehandles", 0).add("CoreRealTimeEnabled", "No")
                .add("CoreCDRenabled", "Yes").add("CoreHTTPenabled", "No").add("SoundsSearchCustomDir", "No"));
            case "events" -> {
                java.util.Set<String> asked = parseMask(a.get("EventMask"));
                eventClasses = node.eventFilter().limit(asked);
                // On/Off answers the mask asked for, before the user's read classes cut it (as Asterisk)
                send(AmiMessage.response("Success", id).add("Events", asked == null || !asked.isEmpty() ? "On" : "Off"));
            }
            case "originate" -> node.originate(this, a, id);
            case "coreshowchannels" -> node.coreShowChannels(this, id);
            case "status" -> node.status(this, a, id);
            case "hangup" -> node.hangupAction(this, a, id);
            case "dbget" -> AstDbActions.dbGet(this, node.astDb(), a, id);
            case "dbput" -> AstDbActions.dbPut(this, node.astDb(), a, id);
            case "dbdel" -> AstDbActions.dbDel(this, node.astDb(), a, id);
            case "dbdeltree" -> AstDbActions.dbDelTree(this, node.astDb(), a, id);
            default -> {
                send(AmiMessage.response("Error", id).add("Message",
                    "Invalid/unknown command: " + action + ". Use Action: ListCommands to show available commands."));
                sendEvent(securityEvent("RequestBadFormat", "Error")
                    .add("RequestType", "Action: " + action).add("SessionTV", sessionTv).add("AccountID", node.user()));
            }
        }
    }

    private void challenge(AmiMessage a, String id) {
        String type = a.get("AuthType");
        if (type == null || !type.equalsIgnoreCase("md5")) {
            send(AmiMessage.response("Error", id).add("Message", "Must specify AuthType"));
            return;
        }
        if (challenge == null) {
            challenge = String.valueOf(100_000_000 + RANDOM.nextInt(900_000_000));
        }
        send(AmiMessage.response("Success", id).add("Challenge", challenge));
    }

    private void login(AmiMessage a, String id) {
        if (authenticated) {
            send(AmiMessage.response("Success", id).add("Message", "Already authenticated"));
            return;
        }
        String user = a.get("Username");
        String key = a.get("Key");
        String secret = a.get("Secret");
        boolean ok = node.user().equals(user) && (
            (secret != null && secret.equals(node.secret()))
                || (key != null && challenge != null && key.equalsIgnoreCase(md5Hex(challenge + node.secret()))));
        if (!ok) {
            // Asterisk delays the failure by about a second, then drops the connection.
            closing = true;
            socket.pause();
            node.vertx().setTimer(1000, t -> {
                closing = false;
                send(AmiMessage.response("Error", id).add("Message", "Authentication failed"));
                close();
            });
            return;
        }
        authenticated = true;
        String events = a.get("Events");
        // Asterisk: send_events = the user's read classes & the Login's Events
        eventClasses = node.eventFilter().limit(parseMask(events));
        send(AmiMessage.response("Success", id).add("Message", "Authentication accepted"));
        long uptime = node.uptimeSeconds();
        // Asterisk's action_login writes FullyBooted straight to the session: event mask only, no eventfilter
        if (takes("system,all")) {
            send(AmiMessage.event("FullyBooted", "system,all").add("Uptime", uptime).add("LastReload", uptime)
                .add("Status", "Fully Booted"));
        }
        sendEvent(AmiMessage.event("SuccessfulAuth", "security,all")
            .add("EventTV", OffsetDateTime.now(ZoneOffset.UTC).format(TV)).add("Severity", "Informational")
            .add("Service", "AMI").add("EventVersion", 1).add("AccountID", user).add("SessionID", sessionId)
            .add("LocalAddress", "IPV4/TCP/" + socket.localAddress().host() + "/" + socket.localAddress().port())
            .add("RemoteAddress", "IPV4/TCP/" + socket.remoteAddress().host() + "/" + socket.remoteAddress().port())
            .add("UsingPassword", 0).add("SessionTV", sessionTv));
    }

    private AmiMessage securityEvent(String name, String severity) {
        return AmiMessage.event(name, "security,all")
            .add("EventTV", OffsetDateTime.now(ZoneOffset.UTC).format(TV)).add("Severity", severity)
            .add("Service", "AMI").add("EventVersion", 1).add("SessionID", sessionId)
            .add("LocalAddress", "IPV4/TCP/" + socket.localAddress().host() + "/" + socket.localAddress().port())
            .add("RemoteAddress", "IPV4/TCP/" + socket.remoteAddress().host() + "/" + socket.remoteAddress().port());
    }

    private static String address(io.vertx.core.net.SocketAddress a) {
        return "IPV4/TCP/" + a.host() + "/" + a.port();
    }

    static String timestamp() {
        long micros = System.currentTimeMillis() * 1000 + (System.nanoTime() / 1000) % 1000;
        return String.format("%d.%06d", micros / 1_000_000, micros % 1_000_000);
    }

    static String md5Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
