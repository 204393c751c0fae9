package io.huibo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.huibo.agi.FastAgiServer;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Overload protection end to end: while more FastAGI sessions are open than the server can be
 * expected to hold (the dialplan waiting on Huibo), no new call is started; the due callback waits in
 * the queue and is dialed once the backlog is gone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OverloadIT {
    private Stack stack;
    private Stack.Proc sim;
    private Stack.Proc huibo;

    @BeforeAll
    void up() throws Exception {
        stack = new Stack();
        sim = stack.sim(1, 10, null);
        Map<String, String> env = stack.huiboEnv(sim, 10);
        // the held sessions must outlive the check below
        env.put("HUIBO_AGI_IDLE_TIMEOUT", "60s");
        huibo = stack.huibo(env);
    }

    @AfterAll
    void down() throws Exception {
        stack.close();
    }

    @Test
    void aFastAgiBacklogHoldsNewCallsBackUntilItClears() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            // sessions that connect and never send their environment, as channels whose AGI() waits on Huibo
            for (int i = 0; i <= FastAgiServer.BACKLOG_LIMIT + 20; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", huibo.port("agi")), 2000);
                held.add(s);
            }
            Thread.sleep(500); // the server counts them once accepted
            String id = stack.submit(huibo, new JsonObject().put("number", "+8613800000041")
                    .put("destination", "+8613900000041"));
            // several dispatch polls pass: nothing is dialed, the callback stays queued
            Thread.sleep(3000);
            assertThat(stack.callback(huibo, id).getString("state")).isEqualTo("queued");
            assertThat(stack.simCalls(sim).size()).isZero();
            assertThat(String.join("\n", huibo.output())).contains("dispatch paused: the FastAGI server has more than");

            for (Socket s : held) {
                s.close();
            }
            held.clear();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                    assertThat(stack.callback(huibo, id).getString("state")).isEqualTo("completed"));
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
