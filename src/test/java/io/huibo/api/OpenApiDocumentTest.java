package io.huibo.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.zaxxer.hikari.HikariDataSource;
import io.huibo.config.ConfigLoader;
import io.huibo.config.HuiboConfig;
import io.huibo.domain.Attempt;
import io.huibo.domain.CallFlow;
import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;
import io.huibo.domain.PhoneNumber;
import io.huibo.events.EventsApi;
import io.huibo.health.HealthCheck;
import io.huibo.routing.InMemoryTrunkLimiter;
import io.huibo.routing.RoutingService;
import io.huibo.service.CallbackService;
import io.huibo.service.CallbackView;
import io.huibo.service.DialinService;
import io.huibo.store.Database;
import io.huibo.store.DialinStore;
import io.huibo.store.RouteTryStore;
import io.huibo.store.RoutingStore;
import io.huibo.store.WebhookOutbox;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.lang.reflect.Constructor;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Holds openapi.yaml to the code: it parses without a message, documents exactly the (method, path)
 * pairs the real router mounts, every example validates against its schema, and the JSON the
 * callback views really produce validates too.
 */
class OpenApiDocumentTest {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options",
            "trace");

    private static Vertx vertx;
    private static DialinStore dialinStore;
    private static io.huibo.store.DoNotCallStore doNotCall;
    private static JsonObject doc;
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    @BeforeAll
    static void load() {
        vertx = Vertx.vertx();
        doc = OpenApiRoutes.toJson(OpenApiRoutes.read());
    }

    @AfterAll
    static void close() {
        if (doNotCall != null) {
            doNotCall.close();
        }
        if (dialinStore != null) {
            dialinStore.close();
        }
        vertx.close();
    }

    @Test
    void parsesWithoutMessages() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult yaml = new OpenAPIV3Parser().readContents(OpenApiRoutes.read(), null, options);
        assertThat(yaml.getMessages()).as("parser messages (YAML)").isEmpty();
        assertThat(yaml.getOpenAPI()).isNotNull();
        assertThat(yaml.getOpenAPI().getOpenapi()).startsWith("3.1");
        SwaggerParseResult json = new OpenAPIV3Parser().readContents(doc.encode(), null, options);
        assertThat(json.getMessages()).as("parser messages (the served JSON)").isEmpty();
        assertThat(json.getOpenAPI().getPaths().keySet()).isEqualTo(yaml.getOpenAPI().getPaths().keySet());
    }

    @Test
    void documentsExactlyTheRoutesTheRouterMounts() throws Exception {
        Set<String> mounted = new TreeSet<>();
        for (Route r : realRouter().getRoutes()) {
            Set<HttpMethod> methods = r.methods();
            if (methods == null || methods.isEmpty()) {
                continue; // auth, body handlers, the 404 fallback: middleware on every method
            }
            // a path with :params counts as a regex route in Vert.x, but keeps its path; a pure regex has none
            assertThat(r.getPath()).as("a regex route with methods cannot be checked: %s", methods).isNotNull();
            // a prefix route (the dashboard's static files) is documented as one path parameter, {asset}
            String path = r.getPath().replaceAll(":([A-Za-z0-9_]+)", "{$1}").replaceAll("(.)/\\*?$", "$1/{asset}");
            for (HttpMethod m : methods) {
                mounted.add(m.name() + " " + path);
            }
        }
        assertThat(mounted).as("routes found on the router").hasSizeGreaterThan(30);
        assertThat(documented()).isEqualTo(mounted);
    }

    @Test
    void securityMatchesTheAuthenticatedPrefix() {
        assertThat(doc.getJsonArray("security")).isEqualTo(new JsonArray().add(new JsonObject().put("bearer", new JsonArray())));
        doc.getJsonObject("paths").forEach(p -> operations((JsonObject) p.getValue()).forEach((method, op) -> {
            boolean open = op.containsKey("security") && op.getJsonArray("security").isEmpty();
            assertThat(open).as("%s %s is open exactly when outside /v1", method, p.getKey())
                    .isEqualTo(!p.getKey().startsWith("/v1/"));
            if (!open) {
                assertThat(op.getJsonObject("responses").containsKey("401")).as("%s %s documents 401", method, p.getKey())
                        .isTrue();
            }
        }));
    }

    @Test
    void everyBodyAndSuccessHasAnExample() {
        List<String> missing = new ArrayList<>();
        doc.getJsonObject("paths").forEach(p -> operations((JsonObject) p.getValue()).forEach((method, op) -> {
            String where = method.toUpperCase() + " " + p.getKey();
            JsonObject body = op.getJsonObject("requestBody");
            if (body != null) {
                resolve(body).getJsonObject("content").forEach(c -> {
                    if (!hasExample((JsonObject) c.getValue())) {
                        missing.add(where + " request " + c.getKey());
                    }
                });
            }
            op.getJsonObject("responses").forEach(r -> {
                JsonObject response = resolve((JsonObject) r.getValue());
                if (r.getKey().startsWith("2") && response.containsKey("content")) {
                    response.getJsonObject("content").forEach(c -> {
                        if (!hasExample((JsonObject) c.getValue())) {
                            missing.add(where + " " + r.getKey() + " " + c.getKey());
                        }
                    });
                }
            });
        }));
        assertThat(missing).isEmpty();
    }

    @Test
    void everyExampleValidatesAgainstItsSchema() {
        List<String> failures = new ArrayList<>();
        int[] checked = {0};
        walk(doc, "", (at, node) -> {
            if (node.getValue("schema") instanceof JsonObject schema) {
                if (node.containsKey("example")) {
                    checked[0]++;
                    validate(schema, node.getValue("example"), at + "/example", failures);
                }
                if (node.getValue("examples") instanceof JsonObject examples) {
                    examples.forEach(e -> {
                        checked[0]++;
                        validate(schema, resolve((JsonObject) e.getValue()).getValue("value"),
                                at + "/examples/" + e.getKey(), failures);
                    });
                }
            }
        });
        doc.getJsonObject("components").getJsonObject("schemas").forEach(s -> {
            JsonObject schema = (JsonObject) s.getValue();
            if (schema.containsKey("example")) {
                checked[0]++;
                validate(schema, schema.getValue("example"), "/components/schemas/" + s.getKey(), failures);
            }
        });
        assertThat(failures).isEmpty();
        assertThat(checked[0]).as("examples checked").isGreaterThan(50);
    }

    /** The validator is not lenient: a wrong example is caught (so the test above can fail). */
    @Test
    void aWrongExampleIsCaught() {
        List<String> failures = new ArrayList<>();
        validate(new JsonObject().put("$ref", "#/components/schemas/Accepted"),
                new JsonObject().put("id", "01JEQ5X8M2K7R4T9V3W6Y8Z0AB").put("state", "ringing")
                        .put("dueAt", "2026-12-07T12:25:49.435Z"), "wrong enum", failures);
        validate(new JsonObject().put("$ref", "#/components/schemas/Accepted"),
                new JsonObject().put("id", "01JEQ5X8M2K7R4T9V3W6Y8Z0AB").put("state", "queued")
                        .put("dueAt", "2026-12-07T12:25:49.435Z").put("extra", 1), "extra field", failures);
        assertThat(failures).hasSize(2);
    }

    /** What CallbackJson really writes (every field filled, and every nullable one null) fits the schemas. */
    @Test
    void theCallbackShapesFitTheirSchemas() {
        Instant t = Instant.parse("2026-12-07T12:25:49.435Z");
        String id = "01JEQ5X8M2K7R4T9V3W6Y8Z0AB";
        Callback full = new Callback(id, PhoneNumber.e164("+8613800138000"), PhoneNumber.of("8001"), "+862150000000",
                3, 4, Map.of("order", "7731"), "key-1", CallState.COMPLETED, 1, t, t, t, CallFlow.AGENT_FIRST, true);
        Callback bare = new Callback(id, PhoneNumber.e164("+8613800138000"), null, null, 0, 3, null, null,
                CallState.QUEUED, 0, t, null, null);
        Attempt ended = new Attempt(id, 1, "sim1", Attempt.channelIdFor(id, 1), t, t, t, Outcome.BUSY, Leg.A, 17,
                "busy on leg a");
        Attempt running = Attempt.started(id, 2, "sim1", t);
        var tries = List.of(new RouteTryStore.RouteTry(id, 1, Leg.A, 1, "main", "PJSIP/+8613800138000@main", "BUSY",
                17, t), new RouteTryStore.RouteTry(id, 1, Leg.B, 1, null, null, "CHANUNAVAIL", null, t));
        var hooks = List.of(new WebhookOutbox.Delivery(93, 4711, id, "https://crm.example.com/h", WebhookOutbox.PENDING,
                2, t, 500, "HTTP 500", t, null), new WebhookOutbox.Delivery(94, 4712, id, "https://crm.example.com/h",
                WebhookOutbox.DELIVERED, 1, t, 200, null, t, t));
        List<String> failures = new ArrayList<>();
        JsonObject callback = ref("Callback");
        validate(callback, CallbackJson.full(new CallbackView(full, List.of(ended, running), tries, hooks)), "full",
                failures);
        validate(callback, CallbackJson.full(new CallbackView(bare, List.of())), "bare full", failures);
        Callback placed = new Callback(id, PhoneNumber.e164("+8613800138000"), PhoneNumber.of("8001"), null, 0, 3, null,
                null, CallState.QUEUED, 0, t, t, t, CallFlow.CUSTOMER_FIRST, false,
                new Callback.Calling("office", t, "Asia/Shanghai"));
        validate(callback, CallbackJson.full(new CallbackView(placed, List.of(), List.of(), List.of(),
                new io.huibo.service.QueuePosition.Placing(3, t))), "placed full", failures);
        validate(ref("CallbackSummary"), CallbackJson.summary(placed), "placed summary", failures);
        validate(ref("CallbackSummary"), CallbackJson.summary(full), "summary", failures);
        validate(ref("CallbackSummary"), CallbackJson.summary(bare), "bare summary", failures);
        validate(ref("Accepted"), CallbackJson.accepted(bare), "accepted", failures);
        validate(ref("Problem"), Problems.body(400, "Invalid request", "x", "number"), "problem", failures);
        validate(ref("Problem"), Problems.body(503, "Service unavailable", "x", null), "problem", failures);
        assertThat(failures).isEmpty();
    }

    // ---- the real router

    /**
     * HttpApi's router with every resource Main mounts, built on collaborators that are constructed and
     * never called (no request is sent). Keep the lists in step with boot.Instance.wire.
     */
    private static Router realRouter() throws Exception {
        HuiboConfig cfg = ConfigLoader.load(null, Map.of("HUIBO_API_TOKEN", "0123456789abcdef-token",
                "HUIBO_NODES", "n1=u:p@127.0.0.1:5038/10"));
        // a pool that never connects: the stores only keep it
        Constructor<Database> c = Database.class.getDeclaredConstructor(HikariDataSource.class, int.class);
        c.setAccessible(true);
        Database db = c.newInstance(new HikariDataSource(), 2);
        dialinStore = new DialinStore(db);
        Clock clock = Clock.systemUTC();
        CallbackService callbacks = new CallbackService(null, null, clock);
        RoutingStore routingStore = new RoutingStore(db);
        RoutingService routing = new RoutingService(routingStore, cfg.routing(), new InMemoryTrunkLimiter(), clock);
        HealthCheck health = () -> Future.failedFuture("not called");
        List<ApiRoutes> extra = List.of(new DialinApi(new DialinService(vertx, dialinStore, callbacks, clock)),
                new RoutingApi(routingStore, routing),
                new NodesApi(vertx, null, null, List::of),
                new CallbackOpsApi(null),
                new EventsApi(null, 1024),
                new KeysApi(null, null),
                new DoNotCallApi(doNotCall = new io.huibo.store.DoNotCallStore(db), clock),
                new QueueHistoryApi(new io.huibo.queue.QueueHistory(() -> Future.failedFuture("not called"),
                        java.time.Duration.ofSeconds(5), java.time.Duration.ofHours(1))));
        List<ApiRoutes> open = List.of(r -> r.get("/metrics").handler(ctx -> { }), new OpenApiRoutes(),
                new DashboardRoutes());
        return new HttpApi(vertx, callbacks, token -> Future.succeededFuture(null), health, extra, open, null).router();
    }

    // ---- the document

    private static Set<String> documented() {
        Set<String> out = new TreeSet<>();
        doc.getJsonObject("paths").forEach(p -> operations((JsonObject) p.getValue())
                .keySet().forEach(m -> out.add(m.toUpperCase() + " " + p.getKey())));
        return out;
    }

    private static Map<String, JsonObject> operations(JsonObject pathItem) {
        Map<String, JsonObject> out = new java.util.TreeMap<>();
        pathItem.forEach(e -> {
            if (METHODS.contains(e.getKey())) {
                out.put(e.getKey(), (JsonObject) e.getValue());
            }
        });
        return out;
    }

    private static boolean hasExample(JsonObject mediaType) {
        return mediaType.containsKey("example")
                || (mediaType.getValue("examples") instanceof JsonObject e && !e.isEmpty());
    }

    private static JsonObject ref(String schema) {
        return new JsonObject().put("$ref", "#/components/schemas/" + schema);
    }

    /** A {@code $ref} object replaced by what it points at (one level). */
    private static JsonObject resolve(JsonObject o) {
        return o.getValue("$ref") instanceof String r ? resolve(pointer(r)) : o;
    }

    private static JsonObject pointer(String ref) {
        assertThat(ref).as("only local references").startsWith("#/");
        Object at = doc;
        for (String part : ref.substring(2).split("/")) {
            at = ((JsonObject) at).getValue(part.replace("~1", "/").replace("~0", "~"));
            assertThat(at).as("reference %s", ref).isInstanceOf(JsonObject.class);
        }
        return (JsonObject) at;
    }

    /** The schema with every local {@code $ref} inlined, so the validator needs nothing but it. */
    private static Object inline(Object v, int depth) {
        assertThat(depth).as("schema references nest too deep (a cycle?)").isLessThan(40);
        if (v instanceof JsonObject o) {
            JsonObject out = new JsonObject();
            if (o.getValue("$ref") instanceof String r) {
                ((JsonObject) inline(pointer(r), depth + 1)).forEach(e -> out.put(e.getKey(), e.getValue()));
            }
            o.forEach(e -> {
                if (!e.getKey().equals("$ref") && !e.getKey().equals("example")) {
                    out.put(e.getKey(), inline(e.getValue(), depth + 1));
                }
            });
            out.remove("example");
            return out;
        }
        if (v instanceof JsonArray a) {
            JsonArray out = new JsonArray();
            a.forEach(x -> out.add(inline(x, depth + 1)));
            return out;
        }
        return v;
    }

    private static void validate(JsonObject schema, Object example, String at, List<String> failures) {
        JsonObject self = ((JsonObject) inline(schema, 0))
                .put("$schema", "https://json-schema.org/draft/2020-12/schema");
        Schema s = SCHEMAS.getSchema(self.encode(), InputFormat.JSON);
        String instance = io.vertx.core.json.Json.encode(example);
        List<Error> errors = s.validate(instance, InputFormat.JSON);
        errors.forEach(e -> failures.add(at + ": " + e.getMessage()));
    }

    private interface Visitor {
        void visit(String at, JsonObject node);
    }

    private static void walk(Object v, String at, Visitor visitor) {
        if (v instanceof JsonObject o) {
            visitor.visit(at, o);
            o.forEach(e -> walk(e.getValue(), at + "/" + e.getKey(), visitor));
        } else if (v instanceof JsonArray a) {
            for (int i = 0; i < a.size(); i++) {
                walk(a.getValue(i), at + "/" + i, visitor);
            }
        }
    }
}
