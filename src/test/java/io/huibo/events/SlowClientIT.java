package io.huibo.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.Stack;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A client that does not read is dropped once it leaves more than events.maxQueued unread, with a last
 * frame naming the last event it was sent, and resumes from there: Huibo's memory does not grow with
 * what a slow client has not read.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowClientIT {
    private static final int EVENTS = 30_000;
    private Stack stack;
    private Stack.Proc huibo;

    @BeforeAll
    void up() throws Exception {
        stack = new Stack();
        Map<String, String> env = stack.huiboEnv(stack.sim(1, 1, null), 1);
        env.put("HUIBO_EVENTS_MAX_QUEUED", "65536");
        huibo = stack.huibo(env);
    }

    @AfterAll
    void down() throws Exception {
        stack.close();
    }

    @Test
    void aClientThatDoesNotReadIsDroppedWithAClearEndAndResumes() throws Exception {
        // far more stored events (about 30 MB of frames) than the socket buffers hold
        String id = stack.submit(huibo, new JsonObject().put("number", "+8613800138000").put("destination", "2001")
                .put("at", java.time.Instant.now().plusSeconds(3600).toString()));
        try (var c = stack.db(); PreparedStatement ps = c.prepareStatement("INSERT INTO callback_events "
                + "(callback_id, at, from_state, to_state, detail) SELECT ?, NOW(3), 'queued', 'queued', "
                + "REPEAT('x', 900) FROM seq_1_to_" + EVENTS)) {
            ps.setString(1, id);
            ps.executeUpdate();
        }
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(8192);
            s.connect(new InetSocketAddress("127.0.0.1", huibo.port("http")), 5000);
            s.getOutputStream().write(("GET /v1/events?after=0 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + Stack.TOKEN + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            Thread.sleep(5000);
            // the stream ends and the connection closes: read to the end
            s.setSoTimeout(15_000);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64 * 1024];
            boolean closed = false;
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    got.write(buf, 0, n);
                }
                closed = true;
            } catch (SocketTimeoutException e) {
                // asserted below
            }
            assertThat(closed).as("Huibo closed the connection").isTrue();
        }
        String text = got.toString(StandardCharsets.UTF_8);
        assertThat(got.size()).as("bounded by the buffers, far from all the events").isLessThan(EVENTS * 1000 / 2);
        Matcher m = Pattern.compile("event: dropped\ndata: \\{\"reason\":\"[^\"]+\",\"lastEventId\":(\\d+)\\}")
                .matcher(text);
        assertThat(m.find()).as("ends with a dropped frame; tail: %s",
                text.substring(Math.max(0, text.length() - 300))).isTrue();
        long last = Long.parseLong(m.group(1));
        assertThat(text).contains("id: " + last + "\n");
        assertThat(text).doesNotContain("id: " + (last + 1) + "\n");

        try (SseClient resumed = new SseClient(stack.api(huibo) + "/v1/events?callback=" + id, last)) {
            SseClient.Frame f = resumed.next(Duration.ofSeconds(10));
            assertThat(f).isNotNull();
            assertThat(f.id()).isEqualTo(last + 1);
        }
    }
}
