package io.huibo.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Byte-level AMI checks: the sim replays the real Asterisk 20.20.1 captures (src/test/resources/sim/traces). */
class SimAmiIT {
    private static Simulator sim;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        // The captures logged in as user "callback" with secret "callbackpw" (test secret).
        sim = new Simulator(new Simulator.Options(1, 0, "127.0.0.1", "callback", "callbackpw", 5,
            Scenario.empty(), 0, null)).start();
        port = sim.amiPort(1);
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    static String resource(String name) throws IOException {
        try (InputStream in = SimAmiIT.class.getResourceAsStream("/sim/traces/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Sends the capture's client bytes, returns everything the sim sent until it closed. */
    static String replay(String sent) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(sent.getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Blanks values that differ per run (clock, session, ports). */
    static String mask(String s) {
        return s.replaceAll("(?m)^(Uptime|LastReload|EventTV|SessionID|LocalAddress|RemoteAddress|SessionTV|Timestamp): [^\r\n]*", "$1: X");
    }

    @Test
    void actionBeforeLoginIsByteExact() throws IOException {
        assertThat(replay(resource("ami-action-before-login.sent.txt"))).isEqualTo(resource("ami-action-before-login.txt"));
    }

    @Test
    void badSecretIsByteExactAndTakesAboutOneSecond() throws IOException {
        long t0 = System.nanoTime();
        String got = replay(resource("ami-login-badsecret.sent.txt"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(got).isEqualTo(resource("ami-login-badsecret.txt"));
        assertThat(ms).isBetween(900L, 2500L);
    }

    @Test
    void pingAndCoreSettingsMatchTheTrace() throws IOException {
        String got = replay(resource("ami-ping.sent.txt"));
        assertThat(mask(got)).isEqualTo(mask(resource("ami-ping.txt")));
        assertThat(got).containsPattern("Timestamp: \\d{10}\\.\\d{6}\r\n");
    }

    @Test
    void unknownActionMatchesTheTrace() throws IOException {
        assertThat(mask(replay(resource("ami-unknown-action.sent.txt")))).isEqualTo(mask(resource("ami-unknown-action.txt")));
    }

    @Test
    void originateQueuedResponseAndOriginateResponseHeaderOrder() throws IOException {
        // No AGI server here, so leg A fails at once: queued Success, then OriginateResponse Failure Reason 0.
        String sent = "Action: Login\r\nUsername: callback\r\nSecret: callbackpw\r\nActionID: login\r\n\r\n"
            + "Action: Originate\r\nChannel: Local/s@huibo-leg-a\r\nContext: huibo-connect\r\nExten: s\r\n"
            + "Priority: 1\r\nAsync: true\r\nTimeout: 2000\r\nChannelId: hb-x-1\r\n"
            + "Variable: HUIBO_CALLBACK=x\r\nVariable: HUIBO_ATTEMPT=1\r\nVariable: HUIBO_AGI=127.0.0.1:1\r\n"
            + "ActionID: 1422222071_3#\r\n\r\n";
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(sent.getBytes(StandardCharsets.UTF_8));
            InputStream in = s.getInputStream();
            assertThat(readLine(in)).isEqualTo("Asterisk Call Manager/9.0.0");
            List<String> packet;
            do {
                packet = readPacket(in);
            } while (!packet.contains("ActionID: 1422222071_3#"));
            assertThat(packet).containsExactly("Response: Success", "ActionID: 1422222071_3#",
                "Message: Originate successfully queued");
            do {
                packet = readPacket(in);
            } while (!packet.get(0).equals("Event: OriginateResponse"));
            assertThat(packet).containsExactly("Event: OriginateResponse", "Privilege: call,all",
                "ActionID: 1422222071_3#", "Response: Failure", "Channel: Local/s@huibo-leg-a",
                "Context: huibo-connect", "Exten: s", "Reason: 0", "Uniqueid: hb-x-1",
                "CallerIDNum: <unknown>", "CallerIDName: <unknown>");
        }
    }

    @Test
    void challengeLoginWithMd5KeyAndCaseInsensitiveHeaders() throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            readLine(in);
            s.getOutputStream().write("action: Challenge\r\nactionid: 1422222071_0#\r\nauthtype: MD5\r\n\r\n".getBytes());
            List<String> ch = readPacket(in);
            assertThat(ch.get(0)).isEqualTo("Response: Success");
            assertThat(ch.get(1)).isEqualTo("ActionID: 1422222071_0#");
            String challenge = ch.get(2).substring("Challenge: ".length());
            String key = AmiSession.md5Hex(challenge + "callbackpw");
            s.getOutputStream().write(("action: Login\r\nactionid: 1422222071_1#\r\nkey: " + key
                + "\r\nusername: callback\r\nauthtype: MD5\r\n\r\n").getBytes());
            assertThat(readPacket(in)).containsExactly("Response: Success", "ActionID: 1422222071_1#",
                "Message: Authentication accepted");
            assertThat(readPacket(in).get(0)).isEqualTo("Event: FullyBooted");
            assertThat(readPacket(in).get(0)).isEqualTo("Event: SuccessfulAuth");
            s.getOutputStream().write("action: Status\r\nactionid: st\r\nchannel: Local/nope-1;1\r\n\r\n".getBytes());
            assertThat(readPacket(in)).containsExactly("Response: Error", "ActionID: st", "Message: No such channel");
            s.getOutputStream().write("action: Hangup\r\nactionid: hu\r\nchannel: Local/nope-1;1\r\n\r\n".getBytes());
            assertThat(readPacket(in)).containsExactly("Response: Error", "ActionID: hu", "Message: No such channel");
        }
    }

    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                break;
            }
            b.write(c);
        }
        if (c == -1 && b.size() == 0) {
            throw new IOException("EOF");
        }
        String s = b.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    static List<String> readPacket(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        String l;
        while (!(l = readLine(in)).isEmpty()) {
            lines.add(l);
        }
        return lines;
    }
}
