package io.huibo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OutputTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private Output output(boolean json) {
        return new Output(json, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @CsvSource({"200,0", "202,0", "204,0", "400,2", "413,2", "422,2", "401,5", "403,5", "404,3", "409,4",
            "429,1", "500,1", "503,1"})
    void exitCodesFollowTheStatus(int status, int code) {
        assertThat(Output.exitCode(status)).isEqualTo(code);
    }

    @Test
    void jsonModePrintsTheBodyAsItIs() {
        String body = "{\"id\":\"01ABC\",\"state\":\"queued\"}";
        assertThat(output(true).object(response(202, body))).isZero();
        assertThat(new JsonObject(out().strip())).isEqualTo(new JsonObject(body));
    }

    @Test
    void jsonModePrintsTheProblemOfARefusal() {
        String problem = "{\"type\":\"about:blank\",\"title\":\"Invalid request\",\"status\":400,\"detail\":\"bad\",\"field\":\"number\"}";
        assertThat(output(true).object(response(400, problem))).isEqualTo(2);
        assertThat(new JsonObject(out().strip()).getString("field")).isEqualTo("number");
        assertThat(err()).isEmpty();
    }

    @Test
    void humansGetTheProblemOnOneErrorLine() {
        String problem = "{\"title\":\"Not found\",\"status\":404,\"detail\":\"no callback with id 'x'\"}";
        assertThat(output(false).object(response(404, problem))).isEqualTo(3);
        assertThat(out()).isEmpty();
        assertThat(err()).isEqualTo("huibo: Not found (HTTP 404): no callback with id 'x'\n");
    }

    @Test
    void aNonJsonErrorStillSaysTheStatus() {
        assertThat(output(false).object(response(502, "Bad Gateway"))).isEqualTo(1);
        assertThat(err()).isEqualTo("huibo: HTTP 502: Bad Gateway\n");
        out.reset();
        assertThat(output(true).object(response(502, "Bad Gateway"))).isEqualTo(1);
        assertThat(new JsonObject(out().strip()).getInteger("status")).isEqualTo(502);
    }

    @Test
    void humansGetATable() {
        String body = new JsonArray().add(new JsonObject().put("id", "sim1").put("state", "up").putNull("lastError"))
                .add(new JsonObject().put("id", "node-two").put("state", "down").put("lastError", "refused")).encode();
        assertThat(output(false).table(response(200, body), JsonArray::new,
                List.of(Table.Column.of("id"), Table.Column.of("state"), Table.Column.of("lastError")))).isZero();
        assertThat(out()).isEqualTo("""
                id        state  lastError
                sim1      up     -
                node-two  down   refused
                """);
    }

    @Test
    void aBodilessAnswerIsSummarised() {
        assertThat(output(true).done(response(204, ""), new JsonObject().put("removed", true))).isZero();
        assertThat(new JsonObject(out().strip()).getBoolean("removed")).isTrue();
    }

    private static HttpResponse<String> response(int status, String body) {
        return new HttpResponse<>() {
            @Override
            public int statusCode() {
                return status;
            }

            @Override
            public HttpRequest request() {
                return HttpRequest.newBuilder(URI.create("http://127.0.0.1/")).build();
            }

            @Override
            public Optional<HttpResponse<String>> previousResponse() {
                return Optional.empty();
            }

            @Override
            public HttpHeaders headers() {
                return HttpHeaders.of(Map.of(), (a, b) -> true);
            }

            @Override
            public String body() {
                return body;
            }

            @Override
            public Optional<SSLSession> sslSession() {
                return Optional.empty();
            }

            @Override
            public URI uri() {
                return request().uri();
            }

            @Override
            public HttpClient.Version version() {
                return HttpClient.Version.HTTP_1_1;
            }
        };
    }
}
