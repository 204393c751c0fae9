package io.huibo.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.huibo.Stack;
import io.huibo.TestCertificates;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * huibo.jar on a Redis that speaks TLS only (Debian's redis-server with {@code --tls-port} and
 * {@code --port 0}), reached as {@code rediss://} and trusting the test's authority through
 * {@code redis.tls.caFile}; an instance given another authority does not start.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisTlsIT {
    private Path dir;
    private TestCertificates certs;
    private Process redis;
    private int port;
    private Stack stack;
    private Stack.Proc sim;

    @BeforeAll
    void up() throws Exception {
        dir = Files.createTempDirectory("huibo-redis-tls");
        certs = TestCertificates.create(dir, "redis");
        port = Stack.freePort();
        // clients need no certificate of their own: Huibo authenticates to Redis, if at all, by password
        redis = new ProcessBuilder("redis-server", "--port", "0", "--tls-port", Integer.toString(port),
                "--bind", "127.0.0.1", "--tls-cert-file", certs.cert().toString(),
                "--tls-key-file", certs.key().toString(), "--tls-ca-cert-file", certs.ca().toString(),
                "--tls-auth-clients", "no", "--dir", dir.toString(), "--save", "", "--appendonly", "no")
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        waitForPort();
        stack = new Stack();
        sim = stack.sim(1, 2, null);
    }

    private void waitForPort() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!redis.isAlive()) {
                break;
            }
            try (var s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("redis-server (TLS) did not start:\n"
                + Files.readString(dir.resolve("redis.log")));
    }

    @AfterAll
    void down() throws Exception {
        if (stack != null) {
            stack.close();
        }
        if (redis != null) {
            redis.destroyForcibly();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
        TestCertificates.delete(dir);
    }

    private Map<String, String> env(Path ca) throws IOException {
        Map<String, String> env = stack.huiboEnv(sim, 2);
        env.put("HUIBO_REDIS_URI", "rediss://127.0.0.1:" + port);
        env.put("HUIBO_REDIS_TLS_CA_FILE", ca.toString());
        return env;
    }

    @Test
    void aCallbackIsScheduledAndDialedThroughRedisOverTls() throws Exception {
        Stack.Proc huibo = stack.huibo(env(certs.ca()));
        String id = stack.submit(huibo, new JsonObject().put("number", "+4930111222").put("destination", "+4930333444"));
        // enqueue, claim, mark and ack are Lua scripts on the TLS connection
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(stack.callback(huibo, id).getString("state")).isEqualTo("completed"));
        huibo.kill9();
    }

    @Test
    void anotherAuthorityIsRefusedWithOneLine() throws Exception {
        TestCertificates other = TestCertificates.create(dir, "other");
        Stack.Exit exit = stack.serveUntilExit(env(other.ca()));
        assertThat(exit.code()).isEqualTo(1);
        assertThat(exit.stderr()).singleElement().asString().contains("Redis unreachable at rediss://127.0.0.1:" + port)
                .containsIgnoringCase("certification path");
    }
}
