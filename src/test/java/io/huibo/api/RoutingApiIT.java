package io.huibo.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.Stack;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The routing CSV resources and the {@code huibo routes} command, over real HTTP against a real instance. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoutingApiIT {

    static final String TRUNKS = """
            id,dial,max_concurrent,max_cps,enabled
            carrier1,PJSIP/{number}@carrier1,30,5,true
            carrier2,SIP/carrier2/{number},0,0,false
            """;
    static final String ROUTES = """
            table,leg,prefix,trunk,weight,tz,days,start,end
            default,,86,carrier1,3,Asia/Shanghai,Mon-Fri,22:00,06:00
            default,b,,carrier2,1,,,,
            """;
    static final String RATES = """
            trunk,prefix,cost_per_minute
            carrier1,86,0.0125
            carrier2,,1
            """;
    static final String TABLES = """
            table,strategies
            default,"time,prefix,cost"
            """;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Stack stack;
    private Stack.Proc huibo;

    @BeforeAll
    void up() throws Exception {
        stack = new Stack();
        Map<String, String> env = stack.huiboEnv(null, 1);
        env.put("HUIBO_NODES", "down1=huibo:x@127.0.0.1:" + Stack.freePort() + "/5");
        // the trunks of this test; everything else is refused (trunkPolicy)
        env.put("HUIBO_TRUNK_POLICY_TECHNOLOGIES", "PJSIP,SIP");
        env.put("HUIBO_TRUNK_POLICY_ENDPOINTS", "carrier1,carrier2");
        huibo = stack.huibo(env);
    }

    @AfterAll
    void down() throws Exception {
        stack.close();
    }

    HttpResponse<String> put(String kind, String csv, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stack.api(huibo) + "/v1/routing/" + kind + ".csv"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "text/csv")
                .PUT(HttpRequest.BodyPublishers.ofString(csv));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String kind) throws Exception {
        return stack.get(stack.api(huibo) + "/v1/routing/" + kind + ".csv", Stack.TOKEN);
    }

    @Test
    void exportOfAnImportIsTheImport() throws Exception {
        for (String[] kv : new String[][] {{"trunks", TRUNKS}, {"routes", ROUTES}, {"rates", RATES}, {"tables", TABLES}}) {
            HttpResponse<String> r = put(kv[0], kv[1], Stack.TOKEN);
            assertThat(r.statusCode()).as("%s: %s", kv[0], r.body()).isEqualTo(200);
            assertThat(new JsonObject(r.body()).getInteger("rows")).isEqualTo((int) kv[1].lines().count() - 1);
        }
        for (String[] kv : new String[][] {{"trunks", TRUNKS}, {"routes", ROUTES}, {"rates", RATES}, {"tables", TABLES}}) {
            HttpResponse<String> r = get(kv[0]);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
            assertThat(r.body()).isEqualTo(kv[1]);
        }
        JsonObject status = new JsonObject(stack.get(stack.api(huibo) + "/v1/routing/status", Stack.TOKEN).body());
        assertThat(status.getBoolean("staticRoutes")).isFalse();
        assertThat(status.getLong("version")).isGreaterThanOrEqualTo(4L);
    }

    @Test
    void aBadRowIsA400NamingItsLineAndNothingChanges() throws Exception {
        assertThat(put("trunks", TRUNKS, Stack.TOKEN).statusCode()).isEqualTo(200);
        String before = get("trunks").body();
        String bad = TRUNKS + "carrier3,PJSIP/{number}@c3&PJSIP/evil,0,0,true\n";
        HttpResponse<String> r = put("trunks", bad, Stack.TOKEN);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith(Problems.CONTENT_TYPE);
        JsonObject p = new JsonObject(r.body());
        assertThat(p.getString("detail")).startsWith("line 4, column dial:");
        assertThat(p.getString("field")).isEqualTo("dial");
        assertThat(get("trunks").body()).isEqualTo(before);

        // a route naming a trunk that does not exist: checked against the database, still named by line
        HttpResponse<String> unknown = put("routes", "table,leg,prefix,trunk,weight,tz,days,start,end\n"
                + "default,,49,carrier1,1,,,,\ndefault,,44,nosuch,1,,,,\n", Stack.TOKEN);
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(unknown.body()).getString("detail")).startsWith("line 3, column trunk:");
        assertThat(new JsonObject(unknown.body()).getString("field")).isEqualTo("trunk");
    }

    /** A key with the routing scope cannot point a trunk at a host, endpoint or technology not allowlisted. */
    @Test
    void aTrunkOutsideTheAllowlistIsA400NamingThePartAndNothingChanges() throws Exception {
        assertThat(put("trunks", TRUNKS, Stack.TOKEN).statusCode()).isEqualTo(200);
        String before = get("trunks").body();
        assertThat(before).isEqualTo(TRUNKS);
        String[][] refused = {
                {"evil,PJSIP/carrier1/sip:{number}@203.0.113.66:5060,0,0,true", "host '203.0.113.66'"},
                {"evil,SIP/{number}@203.0.113.66,0,0,true", "endpoint '203.0.113.66'"},
                {"evil,PJSIP/{number}@elsewhere,0,0,true", "endpoint 'elsewhere'"},
                {"evil,IAX2/carrier1/{number},0,0,true", "technology 'IAX2'"},
                {"evil,Local/{number}@from-internal,0,0,true", "technology 'Local'"},
        };
        for (String[] row : refused) {
            HttpResponse<String> r = put("trunks", TRUNKS + row[0] + "\n", Stack.TOKEN);
            assertThat(r.statusCode()).as(row[0] + ": " + r.body()).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith(Problems.CONTENT_TYPE);
            JsonObject p = new JsonObject(r.body());
            assertThat(p.getString("field")).isEqualTo("dial");
            assertThat(p.getString("detail")).as(row[0]).startsWith("line 4, column dial:").contains(row[1]);
            assertThat(get("trunks").body()).as("nothing stored").isEqualTo(before);
        }
        // the command line goes through the same check
        Path bad = Files.createTempDirectory("huibo-routes-it").resolve("trunks.csv");
        Files.writeString(bad, TRUNKS + refused[0][0] + "\n");
        assertThat(cli("routes", "import", "--kind", "trunks", bad.toString())).isEqualTo(2);
        assertThat(get("trunks").body()).isEqualTo(before);
    }

    /** A row the policy does not allow, written around the API (by hand, or before the policy changed), is not used. */
    @Test
    void aStoredTrunkOutsideTheAllowlistIsSkippedAtLoad() throws Exception {
        assertThat(put("trunks", TRUNKS, Stack.TOKEN).statusCode()).isEqualTo(200);
        try (java.sql.Connection c = stack.db(); java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO routing_trunks (id, dial_template, max_concurrent, max_cps, enabled) "
                    + "VALUES ('sneaky', 'PJSIP/{number}@elsewhere', 0, 0, 1)");
            st.executeUpdate("UPDATE routing_version SET version = version + 1 WHERE id = 1");
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(String.join("\n", huibo.output())).contains("not using trunk 'sneaky'",
                        "endpoint 'elsewhere' is not in trunkPolicy.endpoints"));
        // put back what the other tests expect
        assertThat(put("trunks", TRUNKS, Stack.TOKEN).statusCode()).isEqualTo(200);
        assertThat(get("trunks").body()).isEqualTo(TRUNKS);
    }

    @Test
    void withoutATokenIs401() throws Exception {
        assertThat(put("routes", ROUTES, null).statusCode()).isEqualTo(401);
        assertThat(put("routes", ROUTES, "wrong-token-0123456789").statusCode()).isEqualTo(401);
        assertThat(stack.get(stack.api(huibo) + "/v1/routing/routes.csv", null).statusCode()).isEqualTo(401);
    }

    @Test
    void theCommandLineExportsAndImports() throws Exception {
        Path dir = Files.createTempDirectory("huibo-routes-it");
        Path good = dir.resolve("rates.csv");
        Files.writeString(good, RATES);
        assertThat(put("trunks", TRUNKS, Stack.TOKEN).statusCode()).isEqualTo(200);
        assertThat(cli("routes", "import", "--kind", "rates", good.toString())).isZero();
        Path out = dir.resolve("out.csv");
        assertThat(cli("routes", "export", "--kind", "rates", "--out", out.toString())).isZero();
        assertThat(Files.readString(out)).isEqualTo(RATES);
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, RATES + "carrier1,1,cheap\n");
        assertThat(cli("routes", "import", "--kind", "rates", bad.toString())).isEqualTo(2);
        assertThat(get("rates").body()).isEqualTo(RATES);
    }

    private int cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of(System.getProperty("huibo.jar", "target/huibo.jar")).toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--api", stack.api(huibo), "--token", Stack.TOKEN));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        System.out.println("huibo " + String.join(" ", args) + " -> " + p.exitValue() + ": " + output.strip());
        return p.exitValue();
    }
}
