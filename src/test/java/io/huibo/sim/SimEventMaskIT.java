package io.huibo.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Login's Events header sets the session's event mask, as in Asterisk: other classes are not sent. */
class SimEventMaskIT {
    private static Simulator sim;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        sim = new Simulator(new Simulator.Options(1, 0, "127.0.0.1", "huibo", "mask-test-secret", 5,
                Scenario.empty(), 0, null)).start();
        port = sim.amiPort(1);
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    private static String session(String loginEvents) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            String events = loginEvents == null ? "" : "Events: " + loginEvents + "\r\n";
            // HUIBO_AGI points nowhere: the AGI fails, the dialplan hangs up with 38 (a short call)
            out.write(("Action: Login\r\nUsername: huibo\r\nSecret: mask-test-secret\r\n" + events
                    + "ActionID: l\r\n\r\n"
                    + "Action: Originate\r\nChannel: Local/s@huibo-leg-a\r\nContext: huibo-connect\r\nExten: s\r\n"
                    + "Priority: 1\r\nAsync: true\r\nChannelId: hb-mask-1\r\nActionID: o\r\n"
                    + "Variable: HUIBO_CALLBACK=mask,HUIBO_ATTEMPT=1,HUIBO_AGI=127.0.0.1:1\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(1500);
            out.write("Action: Logoff\r\nActionID: bye\r\n\r\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void callAndSystemMaskDropsDialplanAndSecurityEvents() throws Exception {
        String masked = session("call,system");
        assertThat(masked).contains("Event: FullyBooted", "Event: OriginateResponse", "Event: Hangup\r\n");
        assertThat(masked).doesNotContain("Event: VarSet", "Event: Newexten", "Event: SuccessfulAuth");
    }

    @Test
    void withoutAMaskEverythingIsSent() throws Exception {
        String all = session(null);
        assertThat(all).contains("Event: SuccessfulAuth", "Event: VarSet", "Event: OriginateResponse", "Event: Hangup\r\n");
    }
}
