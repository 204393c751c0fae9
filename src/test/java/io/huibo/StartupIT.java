package io.huibo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A start that cannot work stops at once with one line saying why, and the right exit code. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StartupIT {
    private Stack stack;
    private Map<String, String> good;

    @BeforeAll
    void up() throws Exception {
        stack = new Stack();
        good = stack.huiboEnv(null, 1);
        good.put("HUIBO_NODES", "n1=huibo:x@127.0.0.1:" + Stack.freePort() + "/1");
    }

    @AfterAll
    void down() throws Exception {
        stack.close();
    }

    private Stack.Exit run(Map<String, String> overrides) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(good);
        env.putAll(overrides);
        return stack.serveUntilExit(env);
    }

    @Test
    void badConfigurationExits2WithOneLine() throws Exception {
        Stack.Exit e = run(Map.of("HUIBO_HTTP_PORT", "eighty"));
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.stderr()).hasSize(1);
        assertThat(e.stderr().get(0)).contains("http.port").contains("eighty");
    }

    @Test
    void missingTokenExits2WithOneLine() throws Exception {
        Stack.Exit e = run(Map.of("HUIBO_API_TOKEN", ""));
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.stderr()).singleElement().asString().contains("HUIBO_API_TOKEN");
    }

    @Test
    void unreachableRedisExits1WithOneLine() throws Exception {
        int closed = Stack.freePort();
        Stack.Exit e = run(Map.of("HUIBO_REDIS_URI", "redis://127.0.0.1:" + closed));
        assertThat(e.code()).isEqualTo(1);
        assertThat(e.stderr()).singleElement().asString().contains("Redis").contains(String.valueOf(closed));
    }

    @Test
    void unreachableMariaDbExits1WithOneLine() throws Exception {
        int closed = Stack.freePort();
        Stack.Exit e = run(Map.of("HUIBO_DB_URL", "jdbc:mariadb://127.0.0.1:" + closed + "/huibo_x"));
        assertThat(e.code()).isEqualTo(1);
        assertThat(e.stderr()).singleElement().asString().contains("MariaDB").contains(String.valueOf(closed));
    }

    @Test
    void wrongDatabasePasswordExits1WithOneLine() throws Exception {
        Stack.Exit e = run(Map.of("HUIBO_DB_PASSWORD", "not-the-password"));
        assertThat(e.code()).isEqualTo(1);
        assertThat(e.stderr()).singleElement().asString().contains("MariaDB").containsIgnoringCase("denied");
    }

    @Test
    void missingTlsCertificateExits2WithOneLine() throws Exception {
        Stack.Exit e = run(Map.of("HUIBO_HTTP_TLS_CERT_FILE", "/nonexistent/huibo.pem", "HUIBO_HTTP_TLS_KEY_FILE",
                "/nonexistent/huibo.key"));
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.stderr()).singleElement().asString().contains("http.tls.certFile").contains("/nonexistent/huibo.pem");
    }
}
