package io.huibo.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.Stack;
import io.huibo.auth.RouteScopes;
import io.huibo.auth.Scope;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * API keys on two real instances sharing one MariaDB: the config token only while no key exists, every
 * route refused without its scope, and a revoked or rotated key refused by the other instance within a
 * second. The tests run in order: the first key created ends the bootstrap.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApiKeysIT {
    /** instance B has a config token of its own: instances never write their token as a key */
    private static final String TOKEN_B = "it-token-b-" + UUID.randomUUID();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Stack stack;
    private Stack.Proc a;
    private Stack.Proc b;
    private String admin;
    private int hookPort;

    @BeforeAll
    void up() throws Exception {
        stack = new Stack();
        hookPort = Stack.freePort();
        Map<String, String> envA = env();
        a = stack.huibo(envA);
        Map<String, String> envB = env();
        envB.put("HUIBO_API_TOKEN", TOKEN_B);
        b = stack.huibo(envB);
    }

    private Map<String, String> env() throws Exception {
        Map<String, String> env = stack.huiboEnv(null, 1);
        env.put("HUIBO_NODES", "down1=huibo:x@127.0.0.1:" + Stack.freePort() + "/5");
        // webhooks on, to loopback only (a port nobody listens on): the per-key webhook is stored, never delivered
        env.put("HUIBO_WEBHOOKS_SECRET", "it-webhook-secret-" + UUID.randomUUID());
        env.put("HUIBO_WEBHOOKS_ALLOW_PRIVATE", "true");
        return env;
    }

    @AfterAll
    void down() throws Exception {
        stack.close();
    }

    private HttpResponse<String> call(Stack.Proc huibo, String method, String path, String body, String token)
            throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(stack.api(huibo) + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            r.header("Content-Type", "application/json");
        }
        if (path.equals("/v1/events")) {
            // a stream that does not end: the status line is the answer
            HttpResponse<InputStream> s = http.send(r.build(), HttpResponse.BodyHandlers.ofInputStream());
            String text = s.statusCode() == 200 ? "" : new String(s.body().readAllBytes(), StandardCharsets.UTF_8);
            s.body().close();
            return new Fixed(s, text);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A streamed answer with the body read (or not) already. */
    private record Fixed(HttpResponse<InputStream> r, String text) implements HttpResponse<String> {
        public int statusCode() {
            return r.statusCode();
        }

        public HttpRequest request() {
            return r.request();
        }

        public java.util.Optional<HttpResponse<String>> previousResponse() {
            return java.util.Optional.empty();
        }

        public java.net.http.HttpHeaders headers() {
            return r.headers();
        }

        public String body() {
            return text;
        }

        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return r.sslSession();
        }

        public URI uri() {
            return r.uri();
        }

        public HttpClient.Version version() {
            return r.version();
        }
    }

    private JsonObject create(Stack.Proc huibo, String token, Set<Scope> scopes, String webhook) throws Exception {
        JsonObject body = new JsonObject().put("name", "it " + scopes.size())
                .put("scopes", new JsonArray(scopes.stream().map(Scope::id).toList()));
        if (webhook != null) {
            body.put("webhook", webhook);
        }
        HttpResponse<String> r = call(huibo, "POST", "/v1/keys", body.encode(), token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return new JsonObject(r.body());
    }

    /** How long until {@code huibo} answers {@code GET path} with {@code status} for {@code token}; fails after 5 s. */
    private long millisUntil(Stack.Proc huibo, String path, String token, int status, long sinceNanos) throws Exception {
        long deadline = sinceNanos + Duration.ofSeconds(5).toNanos();
        while (true) {
            if (call(huibo, "GET", path, null, token).statusCode() == status) {
                return (System.nanoTime() - sinceNanos) / 1_000_000;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + status + " for GET " + path + " within 5 s");
            }
            Thread.sleep(20);
        }
    }

    @Test
    @Order(1)
    void theConfigTokenIsAnAdminOnlyUntilTheFirstKey() throws Exception {
        // nothing was written at start, by either instance
        assertThat(stack.count("SELECT COUNT(*) FROM api_keys")).isZero();
        assertThat(call(a, "GET", "/v1/keys", null, Stack.TOKEN).statusCode()).isEqualTo(200);
        assertThat(call(b, "GET", "/v1/keys", null, TOKEN_B).statusCode()).isEqualTo(200);
        assertThat(call(b, "GET", "/v1/queue", null, TOKEN_B).statusCode()).isEqualTo(200);
        // each instance's own config token only
        assertThat(call(a, "GET", "/v1/keys", null, TOKEN_B).statusCode()).isEqualTo(401);

        JsonObject key = create(a, Stack.TOKEN, Scope.all(), null);
        admin = key.getString("token");
        assertThat(admin).matches("hb_" + key.getString("keyId") + "_[A-Za-z0-9_-]{43}");
        assertThat(key.getJsonArray("scopes").getList()).containsExactlyInAnyOrderElementsOf(
                Scope.all().stream().map(Scope::id).toList());

        long created = System.nanoTime();
        assertThat(call(a, "GET", "/v1/keys", null, Stack.TOKEN).statusCode()).isEqualTo(401);
        assertThat(millisUntil(b, "/v1/keys", TOKEN_B, 401, created)).isLessThan(1000);
        assertThat(call(b, "GET", "/v1/keys", null, admin).statusCode()).isEqualTo(200);
    }

    @Test
    @Order(2)
    void eachRouteIsRefusedWithoutItsScopeAndServedWithIt() throws Exception {
        for (Scope s : Scope.values()) {
            Set<Scope> others = EnumSet.complementOf(EnumSet.of(s));
            String without = create(a, admin, others, null).getString("token");
            String only = create(a, admin, EnumSet.of(s), null).getString("token");
            // B knows both keys once neither is 401 any more (a 403 is a known key)
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while ((call(b, "GET", "/v1/keys", null, without).statusCode() == 401
                    || call(b, "GET", "/v1/keys", null, only).statusCode() == 401) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            for (RouteScopes.Entry e : RouteScopes.table()) {
                if (e.scope() != s) {
                    continue;
                }
                String path = e.path().replace(":id", "0123456789ab").replace(":number", "%2B8613800138000");
                String body = List.of("POST", "PUT", "PATCH").contains(e.method().name()) ? "{}" : null;
                HttpResponse<String> refused = call(b, e.method().name(), path, body, without);
                assertThat(refused.statusCode()).as(e + ": " + refused.body()).isEqualTo(403);
                assertThat(refused.headers().firstValue("Content-Type")).contains(Problems.CONTENT_TYPE);
                assertThat(new JsonObject(refused.body()).getString("detail")).contains(s.id());

                HttpResponse<String> served = call(b, e.method().name(), path, body, only);
                assertThat(served.statusCode()).as(e + ": " + served.body()).isNotIn(401, 403);
            }
        }
        // no key, or one not shaped like a key: 401
        assertThat(call(b, "GET", "/v1/callbacks", null, null).statusCode()).isEqualTo(401);
        assertThat(call(b, "GET", "/v1/callbacks", null, "hb_0123456789ab_" + "x".repeat(43)).statusCode()).isEqualTo(401);
    }

    @Test
    @Order(3)
    void aKeyIsListedRotatedAndRevokedAndTheOtherInstanceFollowsWithinASecond() throws Exception {
        JsonObject key = create(a, admin, EnumSet.of(Scope.CALLBACKS_READ), null);
        String id = key.getString("keyId");
        String token = key.getString("token");
        millisUntil(b, "/v1/callbacks", token, 200, System.nanoTime());

        HttpResponse<String> list = call(b, "GET", "/v1/keys", null, admin);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).doesNotContain(token.substring(token.lastIndexOf('_') + 1)).doesNotContain("sha256");
        JsonObject listed = new JsonArray(new JsonObject(list.body()).getJsonArray("items").getList()).stream()
                .map(o -> (JsonObject) o).filter(o -> id.equals(o.getString("keyId"))).findFirst().orElseThrow();
        assertThat(listed.getString("state")).isEqualTo("active");
        assertThat(listed.containsKey("token")).isFalse();

        // rotate on A: the old secret is refused by B within a second, the new one served
        HttpResponse<String> rotated = call(a, "POST", "/v1/keys/" + id + "/rotate", null, admin);
        assertThat(rotated.statusCode()).isEqualTo(200);
        String newToken = new JsonObject(rotated.body()).getString("token");
        long t0 = System.nanoTime();
        assertThat(newToken).startsWith("hb_" + id + "_").isNotEqualTo(token);
        assertThat(call(a, "GET", "/v1/callbacks", null, token).statusCode()).isEqualTo(401);
        assertThat(millisUntil(b, "/v1/callbacks", token, 401, t0)).isLessThan(1000);
        assertThat(call(b, "GET", "/v1/callbacks", null, newToken).statusCode()).isEqualTo(200);

        // revoke on A: B refuses it within a second
        assertThat(call(b, "GET", "/v1/callbacks", null, newToken).statusCode()).isEqualTo(200);
        HttpResponse<String> revoked = call(a, "DELETE", "/v1/keys/" + id, null, admin);
        long t1 = System.nanoTime();
        assertThat(revoked.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(revoked.body()).getString("state")).isEqualTo("revoked");
        assertThat(call(a, "GET", "/v1/callbacks", null, newToken).statusCode()).isEqualTo(401);
        long seen = millisUntil(b, "/v1/callbacks", newToken, 401, t1);
        System.out.println("revoked key refused by the other instance after " + seen + " ms");
        assertThat(seen).isLessThan(1000);

        // a revoked key stays listed, cannot be rotated; a repeat revoke answers it as it is
        assertThat(call(b, "POST", "/v1/keys/" + id + "/rotate", null, admin).statusCode()).isEqualTo(404);
        assertThat(call(b, "DELETE", "/v1/keys/" + id, null, admin).statusCode()).isEqualTo(200);
        assertThat(call(b, "DELETE", "/v1/keys/ffffffffffff", null, admin).statusCode()).isEqualTo(404);
        assertThat(call(b, "DELETE", "/v1/keys/not-a-key", null, admin).statusCode()).isEqualTo(404);

        // bad bodies: 400 naming the field
        for (String[] bad : new String[][] {
                {"{\"scopes\":[\"admin\"]}", "name"},
                {"{\"name\":\"x\",\"scopes\":[]}", "scopes"},
                {"{\"name\":\"x\",\"scopes\":[\"root\"]}", "scopes"},
                {"{\"name\":\"x\",\"scopes\":[\"admin\"],\"extra\":1}", "extra"},
                {"{\"name\":\"x\",\"scopes\":[\"admin\"],\"webhook\":\"ftp://h/x\"}", "webhook"}}) {
            HttpResponse<String> r = call(a, "POST", "/v1/keys", bad[0], admin);
            assertThat(r.statusCode()).as(bad[0]).isEqualTo(400);
            assertThat(new JsonObject(r.body()).getString("field")).isEqualTo(bad[1]);
        }
        // secrets never reach the table
        try (var c = stack.db(); var s = c.createStatement(); var rs = s.executeQuery("SELECT * FROM api_keys")) {
            while (rs.next()) {
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    String v = String.valueOf(rs.getObject(i));
                    assertThat(v).doesNotContain(newToken.substring(16)).doesNotContain(admin.substring(16));
                }
            }
        }
    }

    @Test
    @Order(4)
    void aKeysWebhookServesCallbacksThatNameNone() throws Exception {
        String hook = "http://127.0.0.1:" + hookPort + "/key-hook";
        String token = create(a, admin, EnumSet.of(Scope.CALLBACKS_WRITE), hook).getString("token");
        String cb = "{\"number\":\"+8613800138000\",\"destination\":\"+8613900139000\",\"at\":\"2099-01-01T00:00:00Z\"}";
        HttpResponse<String> r = call(a, "POST", "/v1/callbacks", cb, token);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        String id = new JsonObject(r.body()).getString("id");
        String own = "http://127.0.0.1:" + hookPort + "/own";
        // each callback a number of its own: one active callback per number and destination (deduplication)
        HttpResponse<String> r2 = call(a, "POST", "/v1/callbacks",
                cb.replace("+8613800138000", "+8613800138002").replace("}", ",\"webhook\":\"" + own + "\"}"), token);
        String id2 = new JsonObject(r2.body()).getString("id");
        HttpResponse<String> bulk = call(a, "POST", "/v1/callbacks/bulk",
                "[" + cb.replace("+8613800138000", "+8613800138003") + "]", token);
        assertThat(bulk.statusCode()).as(bulk.body()).isEqualTo(200);
        String id3 = new JsonObject(bulk.body()).getJsonArray("results").getJsonObject(0).getString("id");
        assertThat(id3).as(bulk.body()).isNotNull();
        try (var c = stack.db(); var ps = c.prepareStatement("SELECT url FROM callback_webhooks WHERE callback_id = ?")) {
            ps.setString(1, id3);
            try (var rs = ps.executeQuery()) {
                assertThat(rs.next()).as("the key's webhook for a bulk row").isTrue();
                assertThat(rs.getString(1)).isEqualTo(hook);
            }
            ps.setString(1, id);
            try (var rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(hook);
            }
            ps.setString(1, id2);
            try (var rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(own);
            }
        }
    }

    @Test
    @Order(5)
    void withEveryKeyRevokedTheConfigTokenIsTheWayBackIn() throws Exception {
        JsonArray items = new JsonObject(call(a, "GET", "/v1/keys", null, admin).body()).getJsonArray("items");
        String adminId = admin.substring(3, 15);
        for (Object o : items) {
            String id = ((JsonObject) o).getString("keyId");
            if (!id.equals(adminId)) {
                assertThat(call(a, "DELETE", "/v1/keys/" + id, null, admin).statusCode()).isEqualTo(200);
            }
        }
        assertThat(call(a, "GET", "/v1/keys", null, Stack.TOKEN).statusCode()).isEqualTo(401);
        assertThat(call(a, "DELETE", "/v1/keys/" + adminId, null, admin).statusCode()).isEqualTo(200);
        assertThat(call(a, "GET", "/v1/keys", null, Stack.TOKEN).statusCode()).isEqualTo(200);
        assertThat(millisUntil(b, "/v1/keys", TOKEN_B, 200, System.nanoTime())).isLessThan(1000);
        assertThat(call(b, "GET", "/v1/keys", null, admin).statusCode()).isEqualTo(401);
    }
}
