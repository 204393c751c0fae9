package io.huibo.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static final String TOKEN = "0123456789abcdef-token";

    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Path f = dir.resolve("huibo.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void theDocumentedExampleLoads() {
        HuiboConfig cfg = ConfigLoader.load(Path.of("huibo.example.yaml"),
                Map.of("HUIBO_API_TOKEN", TOKEN, "HUIBO_NODE_PBX1_SECRET", "s3cret"));
        assertThat(cfg.http().port()).isEqualTo(8080);
        assertThat(cfg.nodes()).hasSize(1);
        assertThat(cfg.nodes().get(0).secret()).isEqualTo("s3cret");
        assertThat(cfg.dispatch().leaseTtl()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void theBareMetalExampleLoads() throws Exception {
        // its authority files live on the production host: here a stand-in, through the environment
        Path ca = Files.writeString(dir.resolve("ami-ca.pem"), "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n");
        Map<String, String> env = new java.util.HashMap<>(Map.of("HUIBO_API_TOKEN", TOKEN));
        for (String n : List.of("PBX1", "PBX2", "PBX3")) {
            env.put("HUIBO_NODE_" + n + "_SECRET", "s3cret");
            env.put("HUIBO_NODE_" + n + "_TLS_CA_FILE", ca.toString());
        }
        HuiboConfig cfg = ConfigLoader.load(Path.of("docker/systemd/huibo.yaml"), env);
        assertThat(cfg.nodes()).hasSize(3).allMatch(NodeConfig::tls);
        assertThat(cfg.redis().uri()).startsWith("redis-sentinel://");
        assertThat(cfg.db().url()).startsWith("jdbc:mariadb:sequential://").contains("sslMode=verify-full");
        assertThat(cfg.agi().allow()).containsExactly("10.0.2.0/24", "10.0.1.10");
    }

    @Test
    void environmentOverridesEveryScalarKey() throws Exception {
        Path f = write("""
                http:
                  port: 9000
                dispatch:
                  leaseTtl: 10s
                nodes:
                  - {id: a, host: 127.0.0.1, user: u, secret: x, maxCalls: 4}
                """);
        HuiboConfig cfg = ConfigLoader.load(f, Map.of(
                "HUIBO_API_TOKEN", TOKEN,
                "HUIBO_HTTP_PORT", "9100",
                "HUIBO_AGI_PORT", "4600",
                "HUIBO_REDIS_URI", "redis://10.0.0.1:6380",
                "HUIBO_DB_URL", "jdbc:mariadb://db:3306/x",
                "HUIBO_DB_USER", "me",
                "HUIBO_DB_PASSWORD", "pw",
                "HUIBO_DISPATCH_LEASE_TTL", "250ms"));
        assertThat(cfg.http().port()).isEqualTo(9100);
        assertThat(cfg.agi().port()).isEqualTo(4600);
        assertThat(cfg.redis().uri()).isEqualTo("redis://10.0.0.1:6380");
        assertThat(cfg.db().url()).isEqualTo("jdbc:mariadb://db:3306/x");
        assertThat(cfg.db().user()).isEqualTo("me");
        assertThat(cfg.db().password()).isEqualTo("pw");
        assertThat(cfg.dispatch().leaseTtl()).isEqualTo(Duration.ofMillis(250));
        assertThat(cfg.nodes().get(0).maxCalls()).isEqualTo(4);
    }

    @Test
    void callerIdentityIsValidatedAndBecomesThePresentation() {
        Map<String, String> env = Map.of("HUIBO_API_TOKEN", TOKEN, "HUIBO_NODES", "n1=u:p@h:1/1",
                "HUIBO_CALLER_ID_NUMBER", "+4930900900", "HUIBO_CALLER_ID_NAME", "Acme Support",
                "HUIBO_CALLER_ID_AGENT_SEES", "business");
        HuiboConfig cfg = ConfigLoader.load(null, env);
        assertThat(cfg.callerId().presentation().businessNumber().value()).isEqualTo("+4930900900");
        assertThat(cfg.callerId().presentation().businessName()).isEqualTo("Acme Support");
        assertThat(cfg.callerId().presentation().agentSeesCustomer()).isFalse();
        assertThat(ConfigLoader.load(null, Map.of("HUIBO_API_TOKEN", TOKEN, "HUIBO_NODES", "n1=u:p@h:1/1"))
                .callerId().presentation()).isEqualTo(io.huibo.domain.CallerPresentation.none());

        Map<String, String> bad = new java.util.HashMap<>(env);
        bad.put("HUIBO_CALLER_ID_NUMBER", "+4930&PJSIP/1");
        assertOneLine(() -> ConfigLoader.load(null, bad), "callerId.number");
        bad.put("HUIBO_CALLER_ID_NUMBER", "+4930900900");
        bad.put("HUIBO_CALLER_ID_NAME", "Acme\" <666>");
        assertOneLine(() -> ConfigLoader.load(null, bad), "callerId.name");
        bad.put("HUIBO_CALLER_ID_NAME", "Acme");
        bad.put("HUIBO_CALLER_ID_AGENT_SEES", "nobody");
        assertOneLine(() -> ConfigLoader.load(null, bad), "callerId.agentSees");
    }

    @Test
    void deduplicationIsOnUnlessTurnedOff() throws Exception {
        Map<String, String> env = Map.of("HUIBO_API_TOKEN", TOKEN, "HUIBO_NODES", "n1=u:p@h:1/1");
        assertThat(ConfigLoader.load(null, env).contacts()).isEqualTo(HuiboConfig.Contacts.defaults());
        assertThat(ConfigLoader.load(null, env).contacts().dedup()).isTrue();
        assertThat(ConfigLoader.load(Path.of("huibo.example.yaml"), Map.of("HUIBO_API_TOKEN", TOKEN,
                "HUIBO_NODE_PBX1_SECRET", "s3cret")).contacts().dedup()).isTrue();
        assertThat(ConfigLoader.load(write("contacts:\n  dedup: false\n"), env).contacts().dedup()).isFalse();
        Map<String, String> off = new java.util.HashMap<>(env);
        off.put("HUIBO_CONTACTS_DEDUP", "false");
        assertThat(ConfigLoader.load(null, off).contacts().dedup()).isFalse();
        off.put("HUIBO_CONTACTS_DEDUP", "sometimes");
        assertOneLine(() -> ConfigLoader.load(null, off), "contacts.dedup");
    }

    @Test
    void nodesFromTheEnvironment() {
        HuiboConfig cfg = ConfigLoader.load(null, Map.of("HUIBO_API_TOKEN", TOKEN,
                "HUIBO_NODES", "n1=huibo:pw1@127.0.0.1:5038/10,n2=huibo:pw2@10.1.1.2:5039/20"));
        assertThat(cfg.nodes()).extracting(NodeConfig::id).containsExactly("n1", "n2");
        assertThat(cfg.nodes().get(1).amiPort()).isEqualTo(5039);
        assertThat(cfg.nodes().get(1).maxCalls()).isEqualTo(20);
        assertThat(cfg.nodes().get(1).toString()).doesNotContain("pw2");
    }

    @Test
    void badConfigurationsSayWhatIsWrongInOneLine() throws Exception {
        assertOneLine(() -> ConfigLoader.load(null, Map.of("HUIBO_NODES", "n1=u:p@h:1/1")), "apiToken");
        assertOneLine(() -> ConfigLoader.load(null, Map.of("HUIBO_API_TOKEN", TOKEN)), "no Asterisk nodes");
        assertOneLine(() -> ConfigLoader.load(null, Map.of("HUIBO_API_TOKEN", TOKEN, "HUIBO_NODES", "garbage")),
                "HUIBO_NODES");
        assertOneLine(() -> ConfigLoader.load(null, Map.of("HUIBO_API_TOKEN", TOKEN,
                "HUIBO_NODES", "n1=u:p@h:1/1", "HUIBO_HTTP_PORT", "eighty")), "http.port");
        assertOneLine(() -> ConfigLoader.load(null, Map.of("HUIBO_API_TOKEN", TOKEN,
                "HUIBO_NODES", "n1=u:p@h:1/1", "HUIBO_DISPATCH_LEASE_TTL", "soon")), "dispatch.leaseTtl");
        assertOneLine(() -> ConfigLoader.load(write("htpp:\n  port: 1\n"), Map.of("HUIBO_API_TOKEN", TOKEN,
                "HUIBO_NODES", "n1=u:p@h:1/1")), "unknown config key: htpp.port");
        assertOneLine(() -> ConfigLoader.load(write("http: [\n"), Map.of()), "not valid YAML");
        assertOneLine(() -> ConfigLoader.load(dir.resolve("missing.yaml"), Map.of()), "not found");
        assertOneLine(() -> ConfigLoader.load(write("nodes:\n  - {id: a, host: h, user: u}\n"),
                Map.of("HUIBO_API_TOKEN", TOKEN)), "HUIBO_NODE_A_SECRET");
    }

    private static void assertOneLine(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String mentions) {
        assertThatThrownBy(call).isInstanceOf(ConfigException.class)
                .hasMessageContaining(mentions)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void theExamplesCallingProfileLoads() {
        HuiboConfig cfg = ConfigLoader.load(Path.of("huibo.example.yaml"),
                Map.of("HUIBO_API_TOKEN", TOKEN, "HUIBO_NODE_PBX1_SECRET", "s3cret"));
        assertThat(cfg.calling().defaultProfile()).isEqualTo("default");
        io.huibo.policy.RetryProfile office = cfg.calling().profiles().get("office");
        assertThat(office.expiry()).isEqualTo(Duration.ofDays(2));
        assertThat(office.rules().get(io.huibo.policy.RetryReason.BUSY)).isEqualTo(new io.huibo.policy.RetryRule(
                Duration.ofMinutes(2), 2.0, Duration.ofMinutes(30), 0.2, 6));
        assertThat(office.rules().get(io.huibo.policy.RetryReason.UNAVAILABLE))
                .isEqualTo(io.huibo.policy.RetryRule.fixed(Duration.ofMinutes(30)));
        assertThat(office.rules()).doesNotContainKey(io.huibo.policy.RetryReason.CONGESTION);
        assertThat(office.quietHours().holidays()).contains(java.time.LocalDate.parse("2026-12-25"));
        assertThat(office.quietHours().allowed().get(java.time.DayOfWeek.WEDNESDAY))
                .containsExactly(io.huibo.policy.QuietHours.Range.parse("09:00-20:00"));
        assertThat(office.quietHours().allowed()).doesNotContainKey(java.time.DayOfWeek.SUNDAY);
    }

    @Test
    void noCallingSectionIsTheBuiltInProfileOnly() {
        HuiboConfig cfg = ConfigLoader.load(null, Map.of("HUIBO_API_TOKEN", TOKEN, "HUIBO_NODES", "n1=u:p@h:1/1"));
        assertThat(cfg.calling().defaultProfile()).isEqualTo("default");
        assertThat(cfg.calling().profiles()).isEmpty();
    }

    @Test
    void badCallingProfilesSayWhatIsWrong() throws Exception {
        Map<String, String> env = Map.of("HUIBO_API_TOKEN", TOKEN, "HUIBO_NODES", "n1=u:p@h:1/1");
        assertOneLine(() -> ConfigLoader.load(write("calling:\n  defaultProfile: nope\n"), env),
                "calling.defaultProfile names no profile");
        assertOneLine(() -> ConfigLoader.load(write("calling:\n  profiles:\n    a:\n      retry:\n"
                + "        busy: {first: 1m, multiplier: 0.5}\n"), env), "calling.profiles.a.retry.busy");
        assertOneLine(() -> ConfigLoader.load(write("calling:\n  profiles:\n    a:\n      retry:\n"
                + "        invalidNumber: {first: 1m}\n"), env), "never retried");
        assertOneLine(() -> ConfigLoader.load(write("calling:\n  profiles:\n    a:\n      quietHours:\n"
                + "        allowed: {mon-fri: \"20:00-09:00\"}\n"), env), "start before the end");
        assertOneLine(() -> ConfigLoader.load(write("calling:\n  profiles:\n    a:\n      quietHours:\n"
                + "        allowed: {weekdays: \"09:00-17:00\"}\n"), env), "mon..sun");
        assertOneLine(() -> ConfigLoader.load(write("calling:\n  profiles:\n    a:\n      quiet: {}\n"), env),
                "unknown key quiet");
    }

    @Test
    void envNamesFollowTheKeyPath() {
        assertThat(ConfigLoader.envName("http.port")).isEqualTo("HUIBO_HTTP_PORT");
        assertThat(ConfigLoader.envName("http.apiToken")).isEqualTo("HUIBO_API_TOKEN");
        assertThat(ConfigLoader.envName("dispatch.retryNoAnswer")).isEqualTo("HUIBO_DISPATCH_RETRY_NO_ANSWER");
        assertThat(ConfigLoader.parseDuration("x", "2m")).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void trunkPolicyAndDialinGuardsHaveDefaultsAndTakeListsFromTheFileOrTheEnvironment() throws Exception {
        HuiboConfig d = ConfigLoader.load(write("nodes: [{id: n1, host: h, user: u, secret: s}]\n"),
                Map.of("HUIBO_API_TOKEN", TOKEN));
        assertThat(d.trunkPolicy()).isEqualTo(HuiboConfig.TrunkPolicy.defaults());
        assertThat(d.trunkPolicy().technologies()).containsExactly("PJSIP", "Local");
        assertThat(d.dialinGuards()).isEqualTo(HuiboConfig.DialinGuards.defaults());
        assertThat(d.dialinGuards().accessNumbers()).isEmpty();
        assertThat(d.dialinGuards().allowOtherDestination()).isFalse();

        Path f = write("""
                nodes: [{id: n1, host: h, user: u, secret: s}]
                trunkPolicy:
                  technologies: [PJSIP]
                  endpoints: [carrier1, "*.sip.example.net"]
                  contexts: outbound
                dialinGuards:
                  accessNumbers: ["5000", "+4930555"]
                  maxWrongPins: 5
                  pinWindow: 10m
                  lockout: 1h
                  allowOtherDestination: true
                """);
        HuiboConfig c = ConfigLoader.load(f, Map.of("HUIBO_API_TOKEN", TOKEN));
        assertThat(c.trunkPolicy()).isEqualTo(new HuiboConfig.TrunkPolicy(java.util.List.of("PJSIP"),
                java.util.List.of("carrier1", "*.sip.example.net"), java.util.List.of("outbound")));
        assertThat(c.dialinGuards()).isEqualTo(new HuiboConfig.DialinGuards(java.util.List.of("5000", "+4930555"), 5,
                Duration.ofMinutes(10), Duration.ofHours(1), true));

        HuiboConfig e = ConfigLoader.load(f, Map.of("HUIBO_API_TOKEN", TOKEN,
                "HUIBO_TRUNK_POLICY_ENDPOINTS", "a, b", "HUIBO_DIALIN_GUARDS_ACCESS_NUMBERS", "6000",
                "HUIBO_DIALIN_GUARDS_MAX_WRONG_PINS", "2"));
        assertThat(e.trunkPolicy().endpoints()).containsExactly("a", "b");
        assertThat(e.dialinGuards().accessNumbers()).containsExactly("6000");
        assertThat(e.dialinGuards().maxWrongPins()).isEqualTo(2);

        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of("HUIBO_API_TOKEN", TOKEN,
                "HUIBO_TRUNK_POLICY_ENDPOINTS", "evil&PJSIP/x")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("trunkPolicy.endpoints");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of("HUIBO_API_TOKEN", TOKEN,
                "HUIBO_DIALIN_GUARDS_ACCESS_NUMBERS", "50x0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("dialinGuards.accessNumbers");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of("HUIBO_API_TOKEN", TOKEN,
                "HUIBO_DIALIN_GUARDS_MAX_WRONG_PINS", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("dialinGuards.maxWrongPins");
    }

    @Test
    void guardsAreOnByDefaultAndEverySettingIsRead() throws Exception {
        HuiboConfig d = ConfigLoader.load(Path.of("huibo.example.yaml"),
                Map.of("HUIBO_API_TOKEN", TOKEN, "HUIBO_NODE_PBX1_SECRET", "s3cret"));
        assertThat(d.guards()).isEqualTo(HuiboConfig.Guards.defaults());
        Path f = write("""
                guards:
                  homeCountry: "49"
                  allow: [international, "+881"]
                  deny: ["+4930", "9"]
                  numberPerMinute: 2
                  numberPerDay: 3
                  keyPerMinute: 4
                  keyPerDay: 5
                  attemptsPerNumberPerDay: 6
                  maxCallDuration: 90s
                nodes:
                  - {id: a, host: 127.0.0.1, user: u, secret: x, maxCalls: 4}
                """);
        HuiboConfig.Guards g = ConfigLoader.load(f, Map.of("HUIBO_API_TOKEN", TOKEN)).guards();
        assertThat(g).isEqualTo(new HuiboConfig.Guards("49", java.util.List.of("international", "+881"),
                java.util.List.of("+4930", "9"), 2, 3, 4, 5, 6, Duration.ofSeconds(90)));
        HuiboConfig.Guards e = ConfigLoader.load(f, Map.of("HUIBO_API_TOKEN", TOKEN, "HUIBO_GUARDS_ALLOW", "+44, satellite",
                "HUIBO_GUARDS_NUMBER_PER_MINUTE", "0", "HUIBO_GUARDS_MAX_CALL_DURATION", "0")).guards();
        assertThat(e.allow()).containsExactly("+44", "satellite");
        assertThat(e.numberPerMinute()).isZero();
        assertThat(e.maxCallDuration()).isZero();
        for (Map.Entry<String, String> bad : Map.of("HUIBO_GUARDS_HOME_COUNTRY", "homeCountry",
                "HUIBO_GUARDS_ALLOW", "guards.allow", "HUIBO_GUARDS_DENY", "guards.deny",
                "HUIBO_GUARDS_KEY_PER_DAY", "guards.keyPerDay",
                "HUIBO_GUARDS_MAX_CALL_DURATION", "guards.maxCallDuration").entrySet()) {
            String value = switch (bad.getKey()) {
                case "HUIBO_GUARDS_HOME_COUNTRY" -> "Atlantis";
                case "HUIBO_GUARDS_KEY_PER_DAY" -> "-1";
                case "HUIBO_GUARDS_MAX_CALL_DURATION" -> "1500ms";
                case "HUIBO_GUARDS_DENY" -> "premium-rate";
                default -> "+49 30";
            };
            if (bad.getKey().equals("HUIBO_GUARDS_ALLOW")) {
                value = "+49x";
            }
            String v = value;
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ConfigLoader.load(f,
                    Map.of("HUIBO_API_TOKEN", TOKEN, bad.getKey(), v))).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(bad.getValue());
        }
    }

    @Test
    void httpTlsTakesReadablePemFilesAndSaysWhichOneIsWrong() throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n");
        Path key = Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n");
        Map<String, String> base = Map.of("HUIBO_API_TOKEN", TOKEN, "HUIBO_NODES", "n1=u:p@h:1/1");
        assertThat(ConfigLoader.load(null, base).http().tls().enabled()).isFalse();
        HuiboConfig.ServerTls tls = ConfigLoader.load(null, with(base, "HUIBO_HTTP_TLS_CERT_FILE", cert.toString(),
                "HUIBO_HTTP_TLS_KEY_FILE", key.toString())).http().tls();
        assertThat(tls).isEqualTo(new HuiboConfig.ServerTls(cert.toString(), key.toString()));

        assertOneLine(() -> ConfigLoader.load(null, with(base, "HUIBO_HTTP_TLS_CERT_FILE", cert.toString())),
                "http.tls.certFile and http.tls.keyFile go together");
        assertOneLine(() -> ConfigLoader.load(null, with(base, "HUIBO_HTTP_TLS_CERT_FILE", dir.resolve("gone.pem").toString(),
                "HUIBO_HTTP_TLS_KEY_FILE", key.toString())), "http.tls.certFile: no such file: ");
        // a key where the certificate belongs
        assertOneLine(() -> ConfigLoader.load(null, with(base, "HUIBO_HTTP_TLS_CERT_FILE", key.toString(),
                "HUIBO_HTTP_TLS_KEY_FILE", key.toString())), "http.tls.certFile: " + key + " holds no PEM CERTIFICATE");
        assertOneLine(() -> ConfigLoader.load(null, with(base, "HUIBO_HTTP_TLS_CERT_FILE", cert.toString(),
                "HUIBO_HTTP_TLS_KEY_FILE", dir.toString())), "http.tls.keyFile: cannot read " + dir);
    }

    @Test
    void aNodeTakesTlsAndItsAuthorityFromTheFileOrTheEnvironment() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n");
        Path f = write("""
                http: {apiToken: %s}
                nodes:
                  - {id: pbx1, host: pbx1.example, amiPort: 5039, user: huibo, secret: s, tls: true, tlsCaFile: %s}
                  - {id: pbx2, host: pbx2.example, user: huibo, secret: s}
                """.formatted(TOKEN, ca));
        var nodes = ConfigLoader.load(f, Map.of()).nodes();
        assertThat(nodes.get(0).tls()).isTrue();
        assertThat(nodes.get(0).tlsCaFile()).isEqualTo(ca.toString());
        assertThat(nodes.get(1).tls()).isFalse();
        assertThat(ConfigLoader.load(f, Map.of("HUIBO_NODE_PBX2_TLS", "true")).nodes().get(1).tls()).isTrue();
        var fromEnv = ConfigLoader.load(null, Map.of("HUIBO_API_TOKEN", TOKEN, "HUIBO_NODES", "n1=u:p@h:5039/1",
                "HUIBO_NODE_N1_TLS", "true", "HUIBO_NODE_N1_TLS_CA_FILE", ca.toString())).nodes().get(0);
        assertThat(fromEnv.tls()).isTrue();
        assertThat(fromEnv.tlsCaFile()).isEqualTo(ca.toString());

        assertOneLine(() -> ConfigLoader.load(f, Map.of("HUIBO_NODE_PBX1_TLS", "yes")), "node pbx1: tls must be true or false");
        assertOneLine(() -> ConfigLoader.load(f, Map.of("HUIBO_NODE_PBX1_TLS", "false")),
                "node pbx1: tlsCaFile is set but tls is not true");
        assertOneLine(() -> ConfigLoader.load(f, Map.of("HUIBO_NODE_PBX1_TLS_CA_FILE", dir.resolve("gone.pem").toString())),
                "node pbx1 tlsCaFile: no such file");
    }

    private static Map<String, String> with(Map<String, String> base, String... kv) {
        Map<String, String> m = new java.util.HashMap<>(base);
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void aRedisClusterIsNamedByItsSeedsAndTheFlag() {
        Map<String, String> env = Map.of("HUIBO_API_TOKEN", TOKEN, "HUIBO_NODES", "n1=u:p@h:1/1",
                "HUIBO_REDIS_URI", "redis://:pw@10.0.0.1:7000,10.0.0.2:7000", "HUIBO_REDIS_CLUSTER", "true");
        HuiboConfig.Redis redis = ConfigLoader.load(null, env).redis();
        assertThat(redis.cluster()).isTrue();
        assertThat(redis.uri()).isEqualTo("redis://:pw@10.0.0.1:7000,10.0.0.2:7000");
        assertThat(ConfigLoader.load(null, Map.of("HUIBO_API_TOKEN", TOKEN, "HUIBO_NODES", "n1=u:p@h:1/1"))
                .redis().cluster()).as("one server by default").isFalse();

        Map<String, String> seedsWithoutFlag = new java.util.HashMap<>(env);
        seedsWithoutFlag.remove("HUIBO_REDIS_CLUSTER");
        assertOneLine(() -> ConfigLoader.load(null, seedsWithoutFlag), "set redis.cluster: true");
        Map<String, String> badFlag = new java.util.HashMap<>(env);
        badFlag.put("HUIBO_REDIS_CLUSTER", "yes please");
        assertOneLine(() -> ConfigLoader.load(null, badFlag), "redis.cluster must be true or false");
        Map<String, String> sentinel = new java.util.HashMap<>(env);
        sentinel.put("HUIBO_REDIS_URI", "redis-sentinel://:pw@10.0.0.1:26379#main");
        assertOneLine(() -> ConfigLoader.load(null, sentinel), "redis.cluster: true needs redis://");
        assertThatThrownBy(() -> ConfigLoader.load(null, sentinel)).hasMessageNotContaining("pw");
    }
}
