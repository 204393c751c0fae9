package io.huibo.config;

import io.huibo.domain.PhoneNumber;
import io.huibo.domain.CallerPresentation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads the YAML file, then lets the environment override any scalar key: {@code http.port} is
 * {@code HUIBO_HTTP_PORT}, {@code dispatch.leaseTtl} is {@code HUIBO_DISPATCH_LEASE_TTL}. Nodes come
 * from the file or from {@code HUIBO_NODES} ({@code id=user:secret@host:port/maxCalls,...}); a node's
 * secret can also come from {@code HUIBO_NODE_<ID>_SECRET} so it never has to be in the file.
 */
public final class ConfigLoader {

    /** Every scalar key with its default; null means required. */
    private static final Map<String, Object> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("instanceId", "");
        DEFAULTS.put("http.host", "0.0.0.0");
        DEFAULTS.put("http.port", 8080);
        DEFAULTS.put("http.apiToken", null);
        DEFAULTS.put("http.drainDelay", "5s");
        DEFAULTS.put("http.tls.certFile", "");
        DEFAULTS.put("http.tls.keyFile", "");
        DEFAULTS.put("agi.host", "0.0.0.0");
        DEFAULTS.put("agi.port", 4573);
        DEFAULTS.put("agi.advertiseHost", "127.0.0.1");
        DEFAULTS.put("agi.allow", "");
        DEFAULTS.put("agi.idleTimeout", "30s");
        DEFAULTS.put("redis.uri", "redis://127.0.0.1:6379");
        DEFAULTS.put("redis.keyPrefix", "huibo");
        DEFAULTS.put("redis.tls.caFile", "");
        DEFAULTS.put("redis.cluster", false);
        DEFAULTS.put("db.url", "jdbc:mariadb://127.0.0.1:3306/huibo");
        DEFAULTS.put("db.user", "huibo");
        DEFAULTS.put("db.password", "");
        DEFAULTS.put("db.poolSize", 8);
        DEFAULTS.put("dispatch.pollInterval", "100ms");
        DEFAULTS.put("dispatch.claimBatch", 100);
        DEFAULTS.put("dispatch.leaseTtl", "30s");
        DEFAULTS.put("dispatch.originateTimeout", "30s");
        DEFAULTS.put("dispatch.actionTimeout", "5s");
        DEFAULTS.put("dispatch.retryBusy", "2m");
        DEFAULTS.put("dispatch.retryNoAnswer", "5m");
        DEFAULTS.put("dispatch.retryCongestion", "1m");
        DEFAULTS.put("dispatch.retryFailed", "2m");
        DEFAULTS.put("dispatch.context", "huibo-leg-a");
        DEFAULTS.put("dispatch.connectContext", "huibo-connect");
        DEFAULTS.put("dispatch.shutdownGrace", "20s");
        DEFAULTS.put("dispatch.unreachableTimeout", "10m");
        DEFAULTS.put("routing.legA", "PJSIP/{number}@trunk");
        DEFAULTS.put("routing.legB", "PJSIP/{number}@trunk");
        DEFAULTS.put("cluster.nodeLeaseTtl", "6s");
        DEFAULTS.put("routing.tableA", "default");
        DEFAULTS.put("routing.tableB", "default");
        DEFAULTS.put("routing.reloadInterval", "2s");
        DEFAULTS.put("routing.maxChoices", 3);
        DEFAULTS.put("callerId.number", "");
        DEFAULTS.put("callerId.name", "");
        DEFAULTS.put("callerId.agentSees", "customer");
        DEFAULTS.put("events.pollInterval", "200ms");
        DEFAULTS.put("events.heartbeat", "15s");
        DEFAULTS.put("events.gapWait", "2s");
        DEFAULTS.put("events.maxQueued", 1 << 20);
        DEFAULTS.put("webhooks.secret", "");
        DEFAULTS.put("webhooks.allowPrivate", false);
        DEFAULTS.put("webhooks.pollInterval", "250ms");
        DEFAULTS.put("webhooks.timeout", "10s");
        DEFAULTS.put("webhooks.backoffBase", "5s");
        DEFAULTS.put("webhooks.backoffMax", "1h");
        DEFAULTS.put("webhooks.maxAttempts", 30);
        DEFAULTS.put("trunkPolicy.technologies", "PJSIP,Local");
        DEFAULTS.put("trunkPolicy.endpoints", "");
        DEFAULTS.put("trunkPolicy.contexts", "");
        DEFAULTS.put("dialinGuards.accessNumbers", "");
        DEFAULTS.put("dialinGuards.maxWrongPins", 3);
        DEFAULTS.put("dialinGuards.pinWindow", "15m");
        DEFAULTS.put("dialinGuards.lockout", "30m");
        DEFAULTS.put("dialinGuards.allowOtherDestination", false);
        DEFAULTS.put("contacts.dedup", true);
        DEFAULTS.put("guards.homeCountry", "CN");
        DEFAULTS.put("guards.allow", "");
        DEFAULTS.put("guards.deny", "");
        DEFAULTS.put("guards.numberPerMinute", 5);
        DEFAULTS.put("guards.numberPerDay", 50);
        DEFAULTS.put("guards.keyPerMinute", 0);
        DEFAULTS.put("guards.keyPerDay", 0);
        DEFAULTS.put("guards.attemptsPerNumberPerDay", 20);
        DEFAULTS.put("guards.maxCallDuration", "1h");
        DEFAULTS.put("calling.defaultProfile", "default");
    }

    private static final Pattern NODE_SPEC =
            Pattern.compile("([A-Za-z0-9_-]+)=([^:@]+):([^@]*)@([A-Za-z0-9.:\\[\\]-]+):(\\d+)/(\\d+)"
                    + "(?:/(\\d+)(?:/(\\d+(?:\\.\\d+)?))?)?");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)?");
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");

    private ConfigLoader() {
    }

    /** @param file may be null: defaults and environment only */
    public static HuiboConfig load(Path file, Map<String, String> env) {
        Map<String, Object> tree = new LinkedHashMap<>();
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new ConfigException("config file not found: " + file);
            }
            try (InputStream in = Files.newInputStream(file)) {
                Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
                if (root != null && !(root instanceof Map)) {
                    throw new ConfigException("config file " + file + ": the top level must be a mapping");
                }
                if (root != null) {
                    tree.putAll(castMap(root));
                }
            } catch (IOException e) {
                throw new ConfigException("config file " + file + ": " + e.getMessage());
            } catch (org.yaml.snakeyaml.error.YAMLException e) {
                throw new ConfigException("config file " + file + " is not valid YAML: "
                        + e.getMessage().replace('\n', ' '));
            }
        }
        return build(tree, env);
    }

    static HuiboConfig build(Map<String, Object> tree, Map<String, String> env) {
        Map<String, Object> flat = new LinkedHashMap<>();
        flatten("", tree, flat);
        for (String key : flat.keySet()) {
            if (!DEFAULTS.containsKey(key) && !key.equals("nodes") && !key.startsWith("nodes.")
                    && !key.equals(CallingConfig.PROFILES)) {
                throw new ConfigException("unknown config key: " + key);
            }
        }
        Map<String, Object> v = new LinkedHashMap<>(DEFAULTS);
        flat.forEach((k, val) -> {
            if (DEFAULTS.containsKey(k)) {
                v.put(k, val);
            }
        });
        for (String key : DEFAULTS.keySet()) {
            String e = env.get(envName(key));
            if (e != null) {
                v.put(key, e);
            }
        }
        String instanceId = str(v, "instanceId");
        if (instanceId.isBlank()) {
            instanceId = UUID.randomUUID().toString().substring(0, 8);
        }
        List<String> allow = list(v, "agi.allow");
        String token = (String) v.get("http.apiToken");
        if (token == null || token.isBlank()) {
            throw new ConfigException("http.apiToken is not set (set HUIBO_API_TOKEN or http.apiToken)");
        }
        if (token.length() < 16) {
            throw new ConfigException("http.apiToken must be at least 16 characters");
        }
        List<NodeConfig> nodes = nodes(tree.get("nodes"), env);
        String legA = str(v, "routing.legA");
        String legB = str(v, "routing.legB");
        for (String t : List.of(legA, legB)) {
            if (!t.contains("{number}")) {
                throw new ConfigException("routing templates must contain {number}: " + t);
            }
        }
        return new HuiboConfig(
                instanceId,
                new HuiboConfig.Http(str(v, "http.host"), port(v, "http.port"), token,
                        duration(v, "http.drainDelay"), serverTls(v, "http.tls")),
                new HuiboConfig.Agi(str(v, "agi.host"), port(v, "agi.port"), str(v, "agi.advertiseHost"),
                        List.copyOf(allow), duration(v, "agi.idleTimeout")),
                redis(v),
                new HuiboConfig.Db(str(v, "db.url"), str(v, "db.user"), str(v, "db.password"),
                        positive(v, "db.poolSize")),
                new HuiboConfig.Dispatch(
                        duration(v, "dispatch.pollInterval"),
                        positive(v, "dispatch.claimBatch"),
                        duration(v, "dispatch.leaseTtl"),
                        duration(v, "dispatch.originateTimeout"),
                        duration(v, "dispatch.actionTimeout"),
                        duration(v, "dispatch.retryBusy"),
                        duration(v, "dispatch.retryNoAnswer"),
                        duration(v, "dispatch.retryCongestion"),
                        duration(v, "dispatch.retryFailed"),
                        str(v, "dispatch.context"),
                        str(v, "dispatch.connectContext"),
                        duration(v, "dispatch.shutdownGrace"),
                        duration(v, "dispatch.unreachableTimeout")),
                new HuiboConfig.Routing(legA, legB, tableName(v, "routing.tableA"), tableName(v, "routing.tableB"),
                        duration(v, "routing.reloadInterval"), positive(v, "routing.maxChoices")),
                nodes,
                new HuiboConfig.Cluster(atLeast(duration(v, "cluster.nodeLeaseTtl"), 600, "cluster.nodeLeaseTtl")),
                callerId(v),
                new HuiboConfig.Events(atLeast(duration(v, "events.pollInterval"), 10, "events.pollInterval"),
                        atLeast(duration(v, "events.heartbeat"), 100, "events.heartbeat"),
                        duration(v, "events.gapWait"), positive(v, "events.maxQueued")),
                webhooks(v), trunkPolicy(v), dialinGuards(v),
                new HuiboConfig.Contacts(bool(v, "contacts.dedup")), guards(v),
                CallingConfig.parse(str(v, "calling.defaultProfile").trim(), flat.get(CallingConfig.PROFILES)));
    }

    /** A cluster's seeds are {@code redis://h1:p1,h2:p2}; without the flag that would be one host named "h1:p1,h2". */
    private static HuiboConfig.Redis redis(Map<String, Object> v) {
        String uri = str(v, "redis.uri").trim();
        boolean cluster = bool(v, "redis.cluster");
        String hosts = uri.replaceFirst("^[a-z-]+://([^@/]*@)?", "").replaceFirst("[/?#].*$", "");
        if (!cluster && hosts.contains(",") && !uri.startsWith("redis-sentinel")) {
            throw new ConfigException("redis.uri names several hosts: set redis.cluster: true for a Redis Cluster");
        }
        if (cluster && !uri.startsWith("redis://") && !uri.startsWith("rediss://")) {
            throw new ConfigException("redis.cluster: true needs redis://host:port,host:port,... in redis.uri: "
                    + uri.replaceFirst("(?<=://)[^@/]*@", ""));
        }
        return new HuiboConfig.Redis(uri, str(v, "redis.keyPrefix"), cluster, caFile(v, "redis.tls.caFile"));
    }

    /** Keys whose value may be a YAML list, or a string separated by commas or spaces. */
    private static final List<String> LIST_KEYS = List.of("agi.allow", "trunkPolicy.technologies",
            "trunkPolicy.endpoints", "trunkPolicy.contexts", "dialinGuards.accessNumbers", "guards.allow",
            "guards.deny");
    /** Endpoint, host and context names, with {@code *} as a wildcard; nothing a dial string could misuse. */
    private static final Pattern POLICY_NAME = Pattern.compile("[A-Za-z0-9_.*+-]{1,80}");
    private static final Pattern TECHNOLOGY = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,31}");
    private static final Pattern ACCESS_NUMBER = Pattern.compile("\\+?[0-9]{1,20}");

    private static List<String> list(Map<String, Object> v, String key, Pattern shape, String what) {
        List<String> out = list(v, key);
        for (String a : out) {
            if (!shape.matcher(a).matches()) {
                throw new ConfigException(key + ": '" + a + "' is not " + what);
            }
        }
        return out;
    }

    private static HuiboConfig.Guards guards(Map<String, Object> v) {
        String home = str(v, "guards.homeCountry").trim();
        List<String> allow = list(v, "guards.allow");
        List<String> deny = list(v, "guards.deny");
        HuiboConfig.Guards g = new HuiboConfig.Guards(home, allow, deny, atLeastZero(v, "guards.numberPerMinute"),
                atLeastZero(v, "guards.numberPerDay"), atLeastZero(v, "guards.keyPerMinute"),
                atLeastZero(v, "guards.keyPerDay"), atLeastZero(v, "guards.attemptsPerNumberPerDay"),
                duration(v, "guards.maxCallDuration"));
        try {
            io.huibo.guards.DestinationRules.of(g);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        if (g.maxCallDuration().toMillis() % 1000 != 0) {
            throw new ConfigException("guards.maxCallDuration must be whole seconds: " + g.maxCallDuration().toMillis()
                    + "ms");
        }
        return g;
    }

    /** A comma- or space-separated list (a YAML list is joined first). */
    private static List<String> list(Map<String, Object> v, String key) {
        List<String> out = new ArrayList<>();
        for (String a : str(v, key).split("[,\\s]+")) {
            if (!a.isBlank()) {
                out.add(a.trim());
            }
        }
        return List.copyOf(out);
    }

    private static HuiboConfig.TrunkPolicy trunkPolicy(Map<String, Object> v) {
        return new HuiboConfig.TrunkPolicy(
                list(v, "trunkPolicy.technologies", TECHNOLOGY, "a channel technology (like PJSIP)"),
                list(v, "trunkPolicy.endpoints", POLICY_NAME, "an endpoint or host name (letters, digits, . _ - + *)"),
                list(v, "trunkPolicy.contexts", POLICY_NAME, "a context name (letters, digits, . _ - + *)"));
    }

    private static HuiboConfig.DialinGuards dialinGuards(Map<String, Object> v) {
        return new HuiboConfig.DialinGuards(
                list(v, "dialinGuards.accessNumbers", ACCESS_NUMBER, "a number (digits, optional leading +)"),
                positive(v, "dialinGuards.maxWrongPins"),
                atLeast(duration(v, "dialinGuards.pinWindow"), 1000, "dialinGuards.pinWindow"),
                atLeast(duration(v, "dialinGuards.lockout"), 1000, "dialinGuards.lockout"),
                bool(v, "dialinGuards.allowOtherDestination"));
    }

    private static boolean bool(Map<String, Object> v, String key) {
        String a = str(v, key).trim().toLowerCase(Locale.ROOT);
        if (!a.equals("true") && !a.equals("false")) {
            throw new ConfigException(key + " must be true or false: " + v.get(key));
        }
        return a.equals("true");
    }

    private static int atLeastZero(Map<String, Object> v, String key) {
        int p = parseInt(key, str(v, key));
        if (p < 0) {
            throw new ConfigException(key + " must be 0 (no limit) or more: " + p);
        }
        return p;
    }

    private static HuiboConfig.Webhooks webhooks(Map<String, Object> v) {
        String secret = str(v, "webhooks.secret");
        if (!secret.isEmpty() && secret.length() < 16) {
            throw new ConfigException("webhooks.secret must be at least 16 characters (or empty: webhooks off)");
        }
        return new HuiboConfig.Webhooks(secret, bool(v, "webhooks.allowPrivate"),
                atLeast(duration(v, "webhooks.pollInterval"), 10, "webhooks.pollInterval"),
                atLeast(duration(v, "webhooks.timeout"), 100, "webhooks.timeout"),
                atLeast(duration(v, "webhooks.backoffBase"), 1, "webhooks.backoffBase"),
                duration(v, "webhooks.backoffMax"), positive(v, "webhooks.maxAttempts"));
    }

    private static HuiboConfig.CallerId callerId(Map<String, Object> v) {
        String number = str(v, "callerId.number").trim();
        if (!number.isEmpty() && !PhoneNumber.isValid(number)) {
            throw new ConfigException("callerId.number must be digits with an optional leading +: " + number);
        }
        String name = str(v, "callerId.name");
        if (!CallerPresentation.validName(name)) {
            throw new ConfigException("callerId.name must be at most 40 letters, digits, spaces or . ' & _ -");
        }
        String agentSees = str(v, "callerId.agentSees").trim();
        if (!agentSees.equals("customer") && !agentSees.equals("business")) {
            throw new ConfigException("callerId.agentSees must be customer or business: " + agentSees);
        }
        return new HuiboConfig.CallerId(number, name.trim(), agentSees);
    }

    /** {@code <prefix>.certFile} and {@code <prefix>.keyFile}: both or neither, each a readable PEM file. */
    private static HuiboConfig.ServerTls serverTls(Map<String, Object> v, String prefix) {
        String cert = str(v, prefix + ".certFile").trim();
        String key = str(v, prefix + ".keyFile").trim();
        if (cert.isEmpty() && key.isEmpty()) {
            return HuiboConfig.ServerTls.off();
        }
        if (cert.isEmpty() || key.isEmpty()) {
            throw new ConfigException(prefix + ".certFile and " + prefix + ".keyFile go together: set both or neither");
        }
        pemFile(prefix + ".certFile", cert, "CERTIFICATE");
        pemFile(prefix + ".keyFile", key, "PRIVATE KEY");
        return new HuiboConfig.ServerTls(cert, key);
    }

    /** Empty (the JVM's authorities), or a readable PEM file of certificates. */
    private static String caFile(Map<String, Object> v, String key) {
        String file = str(v, key).trim();
        if (!file.isEmpty()) {
            pemFile(key, file, "CERTIFICATE");
        }
        return file;
    }

    /**
     * Fails unless {@code file} is readable and holds a PEM block whose label ends with {@code label}
     * ("PRIVATE KEY" takes PKCS#8, RSA and EC keys): a wrong path stops the start here, with its key,
     * not at the first connection.
     */
    static void pemFile(String key, String file, String label) {
        String text;
        try {
            text = Files.readString(Path.of(file), java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ConfigException(key + ": no such file: " + file);
        } catch (IOException | java.io.UncheckedIOException | java.nio.file.InvalidPathException e) {
            throw new ConfigException(key + ": cannot read " + file + ": " + e.getMessage());
        }
        if (!Pattern.compile("-----BEGIN ([A-Z0-9 ]+ )?" + label + "-----").matcher(text).find()) {
            throw new ConfigException(key + ": " + file + " holds no PEM " + label);
        }
    }

    private static Duration atLeast(Duration d, long millis, String key) {
        if (d.toMillis() < millis) {
            throw new ConfigException(key + " must be at least " + millis + "ms: " + d.toMillis() + "ms");
        }
        return d;
    }

    /** {@code dispatch.leaseTtl} becomes {@code HUIBO_DISPATCH_LEASE_TTL}. */
    public static String envName(String key) {
        StringBuilder sb = new StringBuilder("HUIBO_");
        for (char c : key.toCharArray()) {
            if (c == '.') {
                sb.append('_');
            } else if (Character.isUpperCase(c)) {
                sb.append('_').append(c);
            } else {
                sb.append(Character.toUpperCase(c));
            }
        }
        String name = sb.toString();
        // the short names promised in the docs
        return switch (name) {
            case "HUIBO_HTTP_API_TOKEN" -> "HUIBO_API_TOKEN";
            default -> name;
        };
    }

    private static List<NodeConfig> nodes(Object fromFile, Map<String, String> env) {
        List<NodeConfig> nodes = new ArrayList<>();
        String spec = env.get("HUIBO_NODES");
        if (spec != null && !spec.isBlank()) {
            for (String part : spec.split(",")) {
                Matcher m = NODE_SPEC.matcher(part.trim());
                if (!m.matches()) {
                    throw new ConfigException("HUIBO_NODES: cannot read '" + part.trim().replaceAll(":[^@]*@", ":***@")
                            + "' (expected id=user:secret@host:port/maxCalls[/maxOriginatesPerSecond[/weight]])");
                }
                nodes.add(node(m.group(1), m.group(4), m.group(5), m.group(2), m.group(3), m.group(6),
                        m.group(7), m.group(8), null, null, env));
            }
        } else if (fromFile != null) {
            if (!(fromFile instanceof List<?> list)) {
                throw new ConfigException("nodes must be a list");
            }
            int i = 0;
            for (Object o : list) {
                if (!(o instanceof Map<?, ?> m)) {
                    throw new ConfigException("nodes[" + i + "] must be a mapping");
                }
                for (Object k : m.keySet()) {
                    if (!List.of("id", "host", "amiPort", "user", "secret", "maxCalls",
                            "maxOriginatesPerSecond", "weight", "tls", "tlsCaFile").contains(String.valueOf(k))) {
                        throw new ConfigException("nodes[" + i + "]: unknown key " + k);
                    }
                }
                nodes.add(node(s(m.get("id")), s(m.get("host")), s(m.get("amiPort") == null ? 5038 : m.get("amiPort")),
                        s(m.get("user")), m.get("secret") == null ? null : s(m.get("secret")),
                        s(m.get("maxCalls") == null ? 30 : m.get("maxCalls")), s(m.get("maxOriginatesPerSecond")),
                        s(m.get("weight")), s(m.get("tls")), s(m.get("tlsCaFile")), env));
                i++;
            }
        }
        if (nodes.isEmpty()) {
            throw new ConfigException("no Asterisk nodes configured (nodes: in the file, or HUIBO_NODES)");
        }
        if (nodes.stream().map(NodeConfig::id).distinct().count() != nodes.size()) {
            throw new ConfigException("node ids must be unique");
        }
        return List.copyOf(nodes);
    }

    private static NodeConfig node(String id, String host, String port, String user, String secret,
                                   String maxCalls, String maxOriginatesPerSecond, String weight, String tls,
                                   String tlsCaFile, Map<String, String> env) {
        if (id == null || !NODE_ID.matcher(id).matches()) {
            throw new ConfigException("node id must be 1-32 of [A-Za-z0-9_-]: " + id);
        }
        if (host == null || host.isBlank()) {
            throw new ConfigException("node " + id + ": host is missing");
        }
        if (user == null || user.isBlank()) {
            throw new ConfigException("node " + id + ": user is missing");
        }
        String envSecret = env.get("HUIBO_NODE_" + id.toUpperCase(Locale.ROOT).replace('-', '_') + "_SECRET");
        if (envSecret != null) {
            secret = envSecret;
        }
        if (secret == null || secret.isEmpty()) {
            throw new ConfigException("node " + id + ": secret is missing (set HUIBO_NODE_"
                    + id.toUpperCase(Locale.ROOT).replace('-', '_') + "_SECRET)");
        }
        int p = parseInt("node " + id + " amiPort", port);
        if (p < 1 || p > 65535) {
            throw new ConfigException("node " + id + ": amiPort out of range: " + p);
        }
        int max = parseInt("node " + id + " maxCalls", maxCalls);
        if (max < 1) {
            throw new ConfigException("node " + id + ": maxCalls must be at least 1");
        }
        int rate = maxOriginatesPerSecond == null ? NodeConfig.DEFAULT_MAX_ORIGINATES_PER_SECOND
                : parseInt("node " + id + " maxOriginatesPerSecond", maxOriginatesPerSecond);
        if (rate < 1) {
            throw new ConfigException("node " + id + ": maxOriginatesPerSecond must be at least 1");
        }
        double w;
        try {
            w = weight == null ? 1.0 : Double.parseDouble(weight.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException("node " + id + " weight is not a number: " + weight);
        }
        if (!(w > 0) || w > 1000) {
            throw new ConfigException("node " + id + ": weight must be above 0 and at most 1000");
        }
        // like the secret, TLS may come from the environment, for nodes given in HUIBO_NODES too
        String envName = "HUIBO_NODE_" + id.toUpperCase(Locale.ROOT).replace('-', '_');
        tls = env.getOrDefault(envName + "_TLS", tls == null ? "false" : tls).trim().toLowerCase(Locale.ROOT);
        if (!tls.equals("true") && !tls.equals("false")) {
            throw new ConfigException("node " + id + ": tls must be true or false: " + tls);
        }
        String ca = env.getOrDefault(envName + "_TLS_CA_FILE", tlsCaFile == null ? "" : tlsCaFile).trim();
        if (!ca.isEmpty()) {
            if (!tls.equals("true")) {
                throw new ConfigException("node " + id + ": tlsCaFile is set but tls is not true");
            }
            pemFile("node " + id + " tlsCaFile", ca, "CERTIFICATE");
        }
        return new NodeConfig(id, host, p, user, secret, max, rate, w, tls.equals("true"), ca);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }

    private static void flatten(String prefix, Map<String, Object> in, Map<String, Object> out) {
        in.forEach((k, val) -> {
            String key = prefix.isEmpty() ? String.valueOf(k) : prefix + "." + k;
            if (val instanceof Map<?, ?> m && !key.equals("nodes") && !key.equals(CallingConfig.PROFILES)) {
                flatten(key, castMap(m), out);
            } else if (val instanceof List<?> l && LIST_KEYS.contains(key)) {
                out.put(key, String.join(",", l.stream().map(String::valueOf).toList()));
            } else {
                out.put(key, val);
            }
        });
    }

    private static String s(Object o) {
        return o == null ? null : String.valueOf(o);
    }

    private static String str(Map<String, Object> v, String key) {
        Object o = v.get(key);
        return o == null ? "" : String.valueOf(o);
    }

    private static int parseInt(String what, String s) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException | NullPointerException e) {
            throw new ConfigException(what + " is not a number: " + s);
        }
    }

    private static int port(Map<String, Object> v, String key) {
        int p = parseInt(key, str(v, key));
        if (p < 0 || p > 65535) {
            throw new ConfigException(key + " out of range: " + p);
        }
        return p;
    }

    /** Route table names end up in URLs, CSV and logs. */
    private static String tableName(Map<String, Object> v, String key) {
        String t = str(v, key).trim();
        if (!t.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new ConfigException(key + " must be 1-64 of letters, digits, _ . -: " + t);
        }
        return t;
    }

    private static int positive(Map<String, Object> v, String key) {
        int p = parseInt(key, str(v, key));
        if (p < 1) {
            throw new ConfigException(key + " must be at least 1: " + p);
        }
        return p;
    }

    /** "250ms", "30s", "2m", "1h", "2d"; a bare number is seconds. */
    public static Duration parseDuration(String what, String s) {
        Matcher m = DURATION.matcher(s == null ? "" : s.trim());
        if (!m.matches()) {
            throw new ConfigException(what + " is not a duration (like 500ms, 30s, 2m): " + s);
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofHours(n);
        };
    }

    private static Duration duration(Map<String, Object> v, String key) {
        return parseDuration(key, str(v, key));
    }
}
