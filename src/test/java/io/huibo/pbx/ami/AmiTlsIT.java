package io.huibo.pbx.ami;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.huibo.Stack;
import io.huibo.TestCertificates;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * huibo.jar driving a simulated node whose AMI port speaks TLS only (as Asterisk's {@code tlsenable}
 * port), trusting the test's authority per node ({@code HUIBO_NODE_<ID>_TLS}, {@code _TLS_CA_FILE});
 * an instance given another authority never logs in and says why.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AmiTlsIT {
    private Path dir;
    private TestCertificates certs;
    private Stack stack;
    private Stack other;
    private Stack.Proc sim;
    private Stack.Proc huibo;
    private Stack.Proc strangerHuibo;

    @BeforeAll
    void up() throws Exception {
        dir = Files.createTempDirectory("huibo-ami-tls");
        certs = TestCertificates.create(dir, "ami");
        stack = new Stack();
        other = new Stack();
        sim = stack.sim(1, 2, null, "--tls-cert", certs.cert().toString(), "--tls-key", certs.key().toString());
        TestCertificates stranger = TestCertificates.create(dir, "stranger");
        // the two instances (each its own key prefix, so each drives the node) start side by side
        var trusting = CompletableFuture.supplyAsync(() -> start(stack, certs.ca()));
        var untrusting = CompletableFuture.supplyAsync(() -> start(other, stranger.ca()));
        huibo = trusting.get(90, TimeUnit.SECONDS);
        strangerHuibo = untrusting.get(90, TimeUnit.SECONDS);
    }

    private Stack.Proc start(Stack s, Path ca) {
        try {
            return s.huibo(env(s, ca));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    void down() throws Exception {
        if (other != null) {
            other.close();
        }
        if (stack != null) {
            stack.close();
        }
        TestCertificates.delete(dir);
    }

    private Map<String, String> env(Stack s, Path ca) throws Exception {
        Map<String, String> env = s.huiboEnv(sim, 2);
        env.put("HUIBO_NODE_SIM1_TLS", "true");
        env.put("HUIBO_NODE_SIM1_TLS_CA_FILE", ca.toString());
        return env;
    }

    @Test
    void aCallbackIsDialedOverAmiWithTls() throws Exception {
        String id = stack.submit(huibo, new JsonObject().put("number", "+4930555661").put("destination", "+4930777882"));
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(stack.callback(huibo, id).getString("state")).isEqualTo("completed"));
        assertThat(stack.simCallsOf(sim, id)).hasSize(1);
    }

    @Test
    void aNodeWhoseCertificateIsNotTrustedIsNeverLoggedInto() throws Exception {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            JsonArray nodes = new JsonArray(other.get(other.api(strangerHuibo) + "/v1/nodes", Stack.TOKEN).body());
            JsonObject n = nodes.getJsonObject(0);
            assertThat(n.getString("state")).isEqualTo("disconnected");
            assertThat(n.getString("lastError")).containsIgnoringCase("certification path");
        });
    }
}
