package io.huibo.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** AstDB over AMI with main/db.c's exact responses, and manager.c's class check on the user's write classes. */
class SimAstDbIT {
    private static Simulator sim;
    /** A node whose user has Huibo's manager.conf write classes: reporting, not system. */
    private static Simulator leastPrivilege;

    @BeforeAll
    static void start() throws Exception {
        sim = new Simulator(new Simulator.Options(1, 0, "127.0.0.1", "huibo", "db-secret", 5,
            Scenario.empty(), 0, null)).start();
        leastPrivilege = new Simulator(new Simulator.Options(1, 0, "127.0.0.1", "huibo", "db-secret", 5,
            Scenario.empty(), 0, null, null, EventFilter.of(List.of(), null, "originate,call,reporting"))).start();
    }

    @AfterAll
    static void stop() {
        sim.close();
        leastPrivilege.close();
    }

    static Socket login(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(5000);
        InputStream in = s.getInputStream();
        assertThat(SimAmiIT.readLine(in)).isEqualTo("Asterisk Call Manager/9.0.0");
        send(s, "Action: Login\r\nUsername: huibo\r\nSecret: db-secret\r\nActionID: l\r\n\r\n");
        assertThat(SimAmiIT.readPacket(in)).contains("Message: Authentication accepted");
        SimAmiIT.readPacket(in); // FullyBooted
        SimAmiIT.readPacket(in); // SuccessfulAuth
        return s;
    }

    static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
    }

    /** Reads exactly {@code n} bytes: the packets an action is answered with, byte for byte. */
    static String bytes(Socket s, int n) throws IOException {
        return new String(s.getInputStream().readNBytes(n), StandardCharsets.UTF_8);
    }

    private static List<String> ask(Socket s, String action) throws IOException {
        send(s, action);
        return SimAmiIT.readPacket(s.getInputStream());
    }

    @Test
    void dbGetOfAnEntryIsListAckResponseEventAndComplete() throws IOException {
        try (Socket s = login(sim.amiPort(1))) {
            assertThat(ask(s, "Action: DBPut\r\nActionID: p\r\nFamily: huibo\r\nKey: 20261202/CB-1/a\r\nVal: BUSY:17\r\n\r\n"))
                .containsExactly("Response: Success", "ActionID: p", "Message: Updated database successfully");
            send(s, "Action: DBGet\r\nActionID: g1\r\nFamily: huibo\r\nKey: 20261202/CB-1/a\r\n\r\n");
            String expected = "Response: Success\r\nActionID: g1\r\nEventList: start\r\nMessage: Result will follow\r\n\r\n"
                + "Event: DBGetResponse\r\nFamily: huibo\r\nKey: 20261202/CB-1/a\r\nVal: BUSY:17\r\nActionID: g1\r\n\r\n"
                + "Event: DBGetComplete\r\nActionID: g1\r\nEventList: Complete\r\nListItems: 1\r\n\r\n";
            assertThat(bytes(s, expected.length())).isEqualTo(expected);
        }
    }

    @Test
    void dbGetOfAMissingEntryOrWithoutFamilyOrKeyIsAnError() throws IOException {
        try (Socket s = login(sim.amiPort(1))) {
            String missing = "Response: Error\r\nActionID: g2\r\nMessage: Database entry not found\r\n\r\n";
            send(s, "Action: DBGet\r\nActionID: g2\r\nFamily: huibo\r\nKey: 20261202/none/a\r\n\r\n");
            assertThat(bytes(s, missing.length())).isEqualTo(missing);
            assertThat(ask(s, "Action: DBGet\r\nActionID: g3\r\nKey: x\r\n\r\n"))
                .containsExactly("Response: Error", "ActionID: g3", "Message: No family specified.");
            assertThat(ask(s, "Action: DBGet\r\nActionID: g4\r\nFamily: huibo\r\n\r\n"))
                .containsExactly("Response: Error", "ActionID: g4", "Message: No key specified.");
            // db.c's DBPut messages have no trailing dot, unlike DBGet's
            assertThat(ask(s, "Action: DBPut\r\nActionID: p2\r\nKey: x\r\n\r\n"))
                .containsExactly("Response: Error", "ActionID: p2", "Message: No family specified");
            assertThat(ask(s, "Action: DBPut\r\nActionID: p3\r\nFamily: huibo\r\n\r\n"))
                .containsExactly("Response: Error", "ActionID: p3", "Message: No key specified");
        }
    }

    @Test
    void dbDelAndDbDelTree() throws IOException {
        try (Socket s = login(sim.amiPort(1))) {
            for (String k : List.of("20261101/X-1/a", "20261101/X-1/b", "20261101/Y-2/a", "20261102/Z-1/a")) {
                assertThat(ask(s, "Action: DBPut\r\nFamily: huibo\r\nKey: " + k + "\r\nVal: ANSWER\r\n\r\n"))
                    .containsExactly("Response: Success", "Message: Updated database successfully");
            }
            assertThat(ask(s, "Action: DBDel\r\nActionID: d1\r\nFamily: huibo\r\nKey: 20261101/X-1/b\r\n\r\n"))
                .containsExactly("Response: Success", "ActionID: d1", "Message: Key deleted successfully");
            assertThat(ask(s, "Action: DBDel\r\nActionID: d2\r\nFamily: huibo\r\nKey: 20261101/X-1/b\r\n\r\n"))
                .containsExactly("Response: Error", "ActionID: d2", "Message: Database entry could not be deleted");
            assertThat(ask(s, "Action: DBDel\r\nActionID: d3\r\nFamily: huibo\r\n\r\n"))
                .containsExactly("Response: Error", "ActionID: d3", "Message: No key specified.");
            // A key tree is a path prefix: 2026110 is not a tree of 20261101
            assertThat(ask(s, "Action: DBDelTree\r\nActionID: t0\r\nFamily: huibo\r\nKey: 2026110\r\n\r\n"))
                .containsExactly("Response: Error", "ActionID: t0", "Message: Database entry not found");
            assertThat(ask(s, "Action: DBDelTree\r\nActionID: t1\r\nFamily: huibo\r\nKey: 20261101\r\n\r\n"))
                .containsExactly("Response: Success", "ActionID: t1", "Message: Key tree deleted successfully");
            assertThat(ask(s, "Action: DBGet\r\nActionID: g\r\nFamily: huibo\r\nKey: 20261101/Y-2/a\r\n\r\n"))
                .contains("Message: Database entry not found");
            assertThat(ask(s, "Action: DBGet\r\nActionID: g\r\nFamily: huibo\r\nKey: 20261102/Z-1/a\r\n\r\n"))
                .contains("Response: Success");
            assertThat(SimAmiIT.readPacket(s.getInputStream())).contains("Key: 20261102/Z-1/a");
            assertThat(SimAmiIT.readPacket(s.getInputStream())).contains("Event: DBGetComplete");
            assertThat(ask(s, "Action: DBDelTree\r\nActionID: t2\r\nFamily: huibo\r\nKey: 20261101\r\n\r\n"))
                .containsExactly("Response: Error", "ActionID: t2", "Message: Database entry not found");
            assertThat(ask(s, "Action: DBDelTree\r\nActionID: t3\r\n\r\n"))
                .containsExactly("Response: Error", "ActionID: t3", "Message: No family specified.");
        }
    }

    @Test
    void entriesOutliveTheAmiConnection() throws IOException {
        try (Socket s = login(sim.amiPort(1))) {
            ask(s, "Action: DBPut\r\nFamily: huibo\r\nKey: 20261203/K-1/b\r\nVal: ANSWER\r\n\r\n");
        }
        try (Socket s = login(sim.amiPort(1))) {
            send(s, "Action: DBGet\r\nActionID: again\r\nFamily: huibo\r\nKey: 20261203/K-1/b\r\n\r\n");
            assertThat(SimAmiIT.readPacket(s.getInputStream())).contains("Response: Success");
            assertThat(SimAmiIT.readPacket(s.getInputStream())).contains("Val: ANSWER");
        }
    }

    @Test
    void reportingMayReadButOnlySystemMayWrite() throws IOException {
        try (Socket s = login(leastPrivilege.amiPort(1))) {
            assertThat(ask(s, "Action: DBPut\r\nActionID: w\r\nFamily: huibo\r\nKey: k\r\nVal: v\r\n\r\n"))
                .containsExactly("Response: Error", "ActionID: w", "Message: Permission denied");
            List<String> event = SimAmiIT.readPacket(s.getInputStream());
            assertThat(event.subList(0, 2)).containsExactly("Event: RequestNotAllowed", "Privilege: security,all");
            assertThat(event).contains("AccountID: huibo", "RequestType: Action: DBPut");
            assertThat(ask(s, "Action: DBDelTree\r\nActionID: w2\r\nFamily: huibo\r\n\r\n"))
                .containsExactly("Response: Error", "ActionID: w2", "Message: Permission denied");
            SimAmiIT.readPacket(s.getInputStream()); // RequestNotAllowed
            // DBGet is registered with system|reporting: allowed, the entry is just not there
            assertThat(ask(s, "Action: DBGet\r\nActionID: r\r\nFamily: huibo\r\nKey: k\r\n\r\n"))
                .containsExactly("Response: Error", "ActionID: r", "Message: Database entry not found");
        }
    }
}
