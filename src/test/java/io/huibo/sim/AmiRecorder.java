package io.huibo.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/** A raw AMI session that keeps every packet the sim sends, in order, as header maps. */
final class AmiRecorder implements AutoCloseable {
    final ConcurrentLinkedQueue<Map<String, String>> packets = new ConcurrentLinkedQueue<>();
    private final Socket socket;
    private final Thread reader;

    AmiRecorder(int port, String user, String secret) throws IOException {
        socket = new Socket("127.0.0.1", port);
        InputStream in = socket.getInputStream();
        assertThat(SimAmiIT.readLine(in)).startsWith("Asterisk Call Manager");
        send("Action: Login\r\nUsername: " + user + "\r\nSecret: " + secret + "\r\nActionID: login\r\n\r\n");
        reader = new Thread(() -> {
            try {
                while (true) {
                    Map<String, String> p = new LinkedHashMap<>();
                    for (String line : SimAmiIT.readPacket(in)) {
                        int c = line.indexOf(": ");
                        if (c > 0) {
                            p.putIfAbsent(line.substring(0, c), line.substring(c + 2));
                        }
                    }
                    packets.add(p);
                }
            } catch (IOException closed) {
                // the session is over
            }
        }, "ami-recorder");
        reader.setDaemon(true);
        reader.start();
    }

    void send(String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    /** An async Originate of {@code Local/s@<legAContext>} into {@code connectContext}. */
    void originate(String channelId, String legAContext, String connectContext, String callerId, String... variables)
        throws IOException {
        StringBuilder sb = new StringBuilder("Action: Originate\r\nChannel: Local/s@" + legAContext + "\r\nContext: "
            + connectContext + "\r\nExten: s\r\nPriority: 1\r\nAsync: true\r\nTimeout: 5000\r\nChannelId: " + channelId + "\r\n");
        if (callerId != null) {
            sb.append("CallerID: ").append(callerId).append("\r\n");
        }
        for (String v : variables) {
            sb.append("Variable: ").append(v).append("\r\n");
        }
        send(sb.append("ActionID: ").append(channelId).append("\r\n\r\n").toString());
    }

    List<Map<String, String>> events(String name) {
        return packets.stream().filter(p -> name.equals(p.get("Event"))).toList();
    }

    /** Events of one call: its channels share the Linkedid of the originated ;1 half. */
    List<Map<String, String>> events(String name, String linkedid) {
        return events(name).stream().filter(p -> linkedid.equals(p.get("Linkedid"))).toList();
    }

    Map<String, String> awaitEvent(String name, Predicate<Map<String, String>> p) {
        return org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(8)).until(
            () -> events(name).stream().filter(p).findFirst().orElse(null), e -> e != null);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
