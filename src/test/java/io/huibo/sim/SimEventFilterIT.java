package io.huibo.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.huibo.Stack;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The [huibo] user of the shipped asterisk-conf/manager.conf, over real AMI: the same answered callback on
 * a node with that file and on one without shows that the eventfilter (with read = call,system) passes
 * only the events Huibo reads, in the same order, while the answers to actions are untouched.
 */
class SimEventFilterIT {
    private static final List<String> HUIBO_READS =
        List.of("OriginateResponse", "DialBegin", "DialEnd", "Hangup");
    private static TestAgi agi;
    private static Simulator filtered;
    private static Simulator plain;

    @BeforeAll
    static void start() throws Exception {
        agi = new TestAgi();
        Scenario sc = Scenario.parse("defaults: {answerAfter: 50ms, talk: 1500ms}\n");
        filtered = new Simulator(new Simulator.Options(1, 0, "127.0.0.1", "huibo", "filter-secret", 5, sc, 0,
            "127.0.0.1:1", null, EventFilter.load(Stack.MANAGER_CONF, "huibo"))).start();
        plain = new Simulator(new Simulator.Options(1, 0, "127.0.0.1", "huibo", "filter-secret", 5, sc, 0,
            "127.0.0.1:1")).start();
    }

    @AfterAll
    static void stop() throws Exception {
        filtered.close();
        plain.close();
        agi.close();
    }

    @Test
    void onlyTheEventsHuiboReadsGetThroughAndActionListsStayComplete() throws Exception {
        Call f = call(filtered, "hb-filter-1");
        Call p = call(plain, "hb-filter-2");

        assertThat(p.names).contains("SuccessfulAuth", "LocalBridge", "DialState", "HangupRequest",
            "SoftHangupRequest", "VarSet", "Newexten", "AGIExecStart");
        // FullyBooted is written straight after Login, not broadcast: no filter applies to it
        assertThat(f.names.get(0)).isEqualTo("FullyBooted");
        assertThat(f.names.subList(1, f.names.size())).isEqualTo(
            p.names.stream().filter(HUIBO_READS::contains).toList()).containsAll(HUIBO_READS);
        assertThat(f.text).contains("Event: Hangup\r\n").doesNotContain("Event: HangupRequest",
            "Event: SoftHangupRequest", "Event: LocalBridge", "Event: DialState", "Event: VarSet", "Event: Newexten");

        // the answer to CoreShowChannels while B talks: all four channels, filter or not
        assertThat(f.listed).hasSize(4).allMatch(e -> e.startsWith("Event: CoreShowChannel\r\nActionID: csc\r\n"));
        assertThat(f.text).contains("Event: CoreShowChannelsComplete\r\nActionID: csc\r\nEventList: Complete\r\nListItems: 4\r\n");
        assertThat(p.listed).hasSize(4);
    }

    /** What one AMI session saw of one answered callback: broadcast event names, CoreShowChannel packets, all bytes. */
    private record Call(List<String> names, List<String> listed, String text) {}

    private static Call call(Simulator sim, String channelId) throws Exception {
        try (Socket s = new Socket("127.0.0.1", sim.amiPort(1))) {
            s.setSoTimeout(10_000);
            Packets in = new Packets(s.getInputStream());
            in.start();
            OutputStream out = s.getOutputStream();
            // Events: on, so what is left out is the file's doing (read classes, eventfilter), not a mask
            write(out, "Action: Login\r\nUsername: huibo\r\nSecret: filter-secret\r\nEvents: on\r\nActionID: l\r\n\r\n"
                + "Action: Originate\r\nChannel: Local/s@huibo-leg-a\r\nContext: huibo-connect\r\nExten: s\r\n"
                + "Priority: 1\r\nAsync: true\r\nTimeout: 5000\r\nChannelId: " + channelId + "\r\nActionID: o\r\n"
                + "Variable: HUIBO_CALLBACK=3001-3002,HUIBO_ATTEMPT=1,HUIBO_AGI=" + agi.address() + "\r\n\r\n");
            // leg A, the Originate and leg B answered (three DialEnd ANSWER): B talks now
            await().atMost(Duration.ofSeconds(5)).until(() -> in.count("Event: DialEnd\r\n", "DialStatus: ANSWER\r\n") == 3);
            write(out, "Action: CoreShowChannels\r\nActionID: csc\r\n\r\n");
            await().atMost(Duration.ofSeconds(5)).until(() -> in.count("Event: Hangup\r\n", "\r\n") == 4);
            write(out, "Action: Logoff\r\nActionID: bye\r\n\r\n");
            in.join(5000);
            List<String> events = in.packets.stream().filter(t -> t.startsWith("Event: ")).toList();
            return new Call(
                events.stream().filter(t -> !t.contains("\r\nActionID: csc\r\n"))
                    .map(t -> t.substring("Event: ".length(), t.indexOf("\r\n"))).toList(),
                events.stream().filter(t -> t.startsWith("Event: CoreShowChannel\r\n")).toList(),
                String.join("", in.packets));
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Reads the session into packets (each with its blank line), the banner line dropped. */
    private static final class Packets extends Thread {
        final List<String> packets = new CopyOnWriteArrayList<>();
        private final InputStream in;

        Packets(InputStream in) {
            this.in = in;
            setDaemon(true);
        }

        long count(String first, String contains) {
            return packets.stream().filter(t -> t.startsWith(first) && t.contains(contains)).count();
        }

        @Override
        public void run() {
            StringBuilder buf = new StringBuilder();
            byte[] chunk = new byte[8192];
            try {
                int n;
                while ((n = in.read(chunk)) > 0) {
                    buf.append(new String(chunk, 0, n, StandardCharsets.UTF_8));
                    if (buf.indexOf(AmiSession.BANNER) == 0) {
                        buf.delete(0, AmiSession.BANNER.length());
                    }
                    int end;
                    while ((end = buf.indexOf("\r\n\r\n")) >= 0) {
                        packets.add(buf.substring(0, end + 4));
                        buf.delete(0, end + 4);
                    }
                }
            } catch (IOException e) {
                // socket closed
            }
        }
    }
}
