package io.huibo.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The OpenAPI document of the whole API, without authentication: {@code GET /openapi.yaml} as written
 * (src/main/resources/io/huibo/api/openapi.yaml) and {@code GET /openapi.json} converted from it once,
 * at construction. {@code OpenApiDocumentTest} holds the document to the real router.
 */
public final class OpenApiRoutes implements ApiRoutes {
    public static final String RESOURCE = "/io/huibo/api/openapi.yaml";

    private final Buffer yaml;
    private final Buffer json;

    /** Reads the document from the classpath (blocking: call at start). */
    public OpenApiRoutes() {
        String text = read();
        this.yaml = Buffer.buffer(text, "UTF-8");
        this.json = toJson(text).toBuffer();
    }

    @Override
    public void mount(Router router) {
        router.get("/openapi.yaml").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/yaml; charset=utf-8").end(yaml));
        router.get("/openapi.json").handler(ctx -> ctx.response()
                .putHeader("Content-Type", "application/json").end(json));
    }

    /** The document as JSON; a YAML value JSON cannot hold (a date, a binary) is refused, not guessed. */
    public static JsonObject toJson(String yamlText) {
        Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yamlText);
        if (!(root instanceof Map<?, ?> m)) {
            throw new IllegalStateException("the OpenAPI document is not a YAML mapping");
        }
        return (JsonObject) convert(m, "");
    }

    public static String read() {
        try (InputStream in = OpenApiRoutes.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object convert(Object v, String at) {
        if (v instanceof Map<?, ?> m) {
            JsonObject o = new JsonObject();
            m.forEach((k, value) -> {
                if (!(k instanceof String key)) {
                    throw new IllegalStateException("OpenAPI document: non-string key " + k + " at " + at
                            + " (quote it)");
                }
                o.put(key, convert(value, at + "/" + key));
            });
            return o;
        }
        if (v instanceof List<?> l) {
            JsonArray a = new JsonArray();
            for (int i = 0; i < l.size(); i++) {
                a.add(convert(l.get(i), at + "/" + i));
            }
            return a;
        }
        if (v == null || v instanceof String || v instanceof Boolean || v instanceof Integer || v instanceof Long
                || v instanceof Double) {
            return v;
        }
        throw new IllegalStateException("OpenAPI document: a " + v.getClass().getSimpleName() + " at " + at
                + " has no JSON form (quote it)");
    }
}
