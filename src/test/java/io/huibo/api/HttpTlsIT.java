package io.huibo.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.huibo.Stack;
import io.huibo.TestCertificates;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** huibo.jar serving its API over HTTPS from PEM files (http.tls.*), as clients on another host reach it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpTlsIT {
    private Path dir;
    private Stack stack;
    private Stack.Proc huibo;
    private HttpClient trusting;
    private String https;

    @BeforeAll
    void up() throws Exception {
        dir = Files.createTempDirectory("huibo-http-tls");
        TestCertificates certs = TestCertificates.create(dir, "http");
        stack = new Stack();
        Stack.Proc sim = stack.sim(1, 2, null);
        Map<String, String> env = stack.huiboEnv(sim, 2);
        env.put("HUIBO_HTTP_TLS_CERT_FILE", certs.cert().toString());
        env.put("HUIBO_HTTP_TLS_KEY_FILE", certs.key().toString());
        huibo = stack.huibo(env);
        https = "https://127.0.0.1:" + huibo.port("http");
        trusting = HttpClient.newBuilder().sslContext(TestCertificates.trusting(certs.ca()))
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    void down() throws Exception {
        if (stack != null) {
            stack.close();
        }
        TestCertificates.delete(dir);
    }

    private HttpResponse<String> send(HttpClient client, HttpRequest.Builder b) throws Exception {
        return client.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthAndTheApiAnswerOverHttps() throws Exception {
        HttpResponse<String> health = send(trusting, HttpRequest.newBuilder(URI.create(https + "/health")));
        assertThat(health.statusCode()).isIn(200, 503);
        assertThat(new JsonObject(health.body()).getString("status")).isNotBlank();
        assertThat(health.sslSession()).isPresent();

        HttpResponse<String> submitted = send(trusting, HttpRequest.newBuilder(URI.create(https + "/v1/callbacks"))
                .header("Authorization", "Bearer " + Stack.TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("number", "+4930123456")
                        .put("destination", "+4930654321").encode())));
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
        String id = new JsonObject(submitted.body()).getString("id");

        HttpResponse<String> shown = send(trusting, HttpRequest.newBuilder(URI.create(https + "/v1/callbacks/" + id))
                .header("Authorization", "Bearer " + Stack.TOKEN));
        assertThat(shown.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(shown.body()).getString("id")).isEqualTo(id);
    }

    @Test
    void plainHttpOnTheSamePortGetsNoAnswer() {
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> send(plain, HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + huibo.port("http") + "/health"))))
                .isInstanceOf(IOException.class);
    }

    @Test
    void aClientThatDoesNotTrustTheAuthorityIsRefused() {
        HttpClient defaults = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> send(defaults, HttpRequest.newBuilder(URI.create(https + "/health"))))
                .isInstanceOf(SSLHandshakeException.class);
    }
}
