package io.huibo.auth;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one table of which scope each {@code /v1} route needs. {@link #verify} makes the API refuse to
 * start when a route under {@code /v1} has no entry here, so a new route is never open to every key
 * by accident. Paths are written as they are mounted ({@code :name} for a path parameter).
 */
public final class RouteScopes {
    public record Entry(HttpMethod method, String path, Scope scope) {
        /** How many literal segments: the most specific entry wins ({@code /callbacks/bulk} over {@code /callbacks/:id}). */
        int literals() {
            int n = 0;
            for (String s : path.split("/")) {
                n += s.startsWith(":") ? 0 : 1;
            }
            return n;
        }

        boolean matches(HttpMethod m, String[] segments) {
            if (!method.equals(m)) {
                return false;
            }
            String[] mine = path.split("/", -1);
            if (mine.length != segments.length) {
                return false;
            }
            for (int i = 0; i < mine.length; i++) {
                boolean param = mine[i].startsWith(":");
                if (param ? segments[i].isEmpty() : !mine[i].equals(segments[i])) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final List<Entry> TABLE = List.of(
            e(HttpMethod.POST, "/v1/callbacks", Scope.CALLBACKS_WRITE),
            e(HttpMethod.GET, "/v1/callbacks", Scope.CALLBACKS_READ),
            e(HttpMethod.GET, "/v1/callbacks/:id", Scope.CALLBACKS_READ),
            e(HttpMethod.DELETE, "/v1/callbacks/:id", Scope.CALLBACKS_WRITE),
            e(HttpMethod.PATCH, "/v1/callbacks/:id", Scope.CALLBACKS_WRITE),
            e(HttpMethod.GET, "/v1/callbacks/:id/events", Scope.CALLBACKS_READ),
            e(HttpMethod.POST, "/v1/callbacks/:id/requeue", Scope.CALLBACKS_WRITE),
            e(HttpMethod.POST, "/v1/callbacks/bulk", Scope.CALLBACKS_WRITE),
            e(HttpMethod.POST, "/v1/callbacks/cancel", Scope.CALLBACKS_WRITE),
            e(HttpMethod.GET, "/v1/events", Scope.CALLBACKS_READ),
            e(HttpMethod.GET, "/v1/queue", Scope.OPERATE),
            e(HttpMethod.GET, "/v1/queue/history", Scope.OPERATE),
            e(HttpMethod.GET, "/v1/nodes", Scope.OPERATE),
            e(HttpMethod.POST, "/v1/nodes/:id/drain", Scope.OPERATE),
            e(HttpMethod.POST, "/v1/nodes/:id/resume", Scope.OPERATE),
            e(HttpMethod.GET, "/v1/routing/trunks.csv", Scope.ROUTING),
            e(HttpMethod.PUT, "/v1/routing/trunks.csv", Scope.ROUTING),
            e(HttpMethod.GET, "/v1/routing/routes.csv", Scope.ROUTING),
            e(HttpMethod.PUT, "/v1/routing/routes.csv", Scope.ROUTING),
            e(HttpMethod.GET, "/v1/routing/rates.csv", Scope.ROUTING),
            e(HttpMethod.PUT, "/v1/routing/rates.csv", Scope.ROUTING),
            e(HttpMethod.GET, "/v1/routing/tables.csv", Scope.ROUTING),
            e(HttpMethod.PUT, "/v1/routing/tables.csv", Scope.ROUTING),
            e(HttpMethod.GET, "/v1/routing/status", Scope.ROUTING),
            // a dial-in caller's stored destination is where any call from that number goes: routing
            e(HttpMethod.GET, "/v1/dialin/callers", Scope.ROUTING),
            e(HttpMethod.GET, "/v1/dialin/callers/:number", Scope.ROUTING),
            e(HttpMethod.PUT, "/v1/dialin/callers/:number", Scope.ROUTING),
            e(HttpMethod.DELETE, "/v1/dialin/callers/:number", Scope.ROUTING),
            e(HttpMethod.POST, "/v1/admin/reload", Scope.ADMIN),
            e(HttpMethod.POST, "/v1/keys", Scope.ADMIN),
            e(HttpMethod.GET, "/v1/keys", Scope.ADMIN),
            e(HttpMethod.POST, "/v1/keys/:id/rotate", Scope.ADMIN),
            e(HttpMethod.DELETE, "/v1/keys/:id", Scope.ADMIN),
            e(HttpMethod.GET, "/v1/dnc", Scope.OPERATE),
            e(HttpMethod.POST, "/v1/dnc/import", Scope.OPERATE),
            e(HttpMethod.PUT, "/v1/dnc/:number", Scope.OPERATE),
            e(HttpMethod.DELETE, "/v1/dnc/:number", Scope.OPERATE),
            e(HttpMethod.PATCH, "/v1/keys/:id", Scope.ADMIN));

    private RouteScopes() {
    }

    private static Entry e(HttpMethod m, String path, Scope s) {
        return new Entry(m, path, s);
    }

    public static List<Entry> table() {
        return TABLE;
    }

    /** The scope a request needs; empty for a path no route serves (it gets the 404 of any key). */
    public static Optional<Scope> required(HttpMethod method, String path) {
        String[] segments = path.split("/", -1);
        Entry best = null;
        for (Entry e : TABLE) {
            if (e.matches(method, segments) && (best == null || e.literals() > best.literals())) {
                best = e;
            }
        }
        return Optional.ofNullable(best).map(Entry::scope);
    }

    /**
     * Every route under {@code /v1} that serves a method has an entry for that method and path; an
     * exact {@code /v1} path without a method (a body handler) has an entry for some method.
     *
     * @throws IllegalStateException naming the routes without an entry
     */
    public static void verify(Router router) {
        List<String> missing = new ArrayList<>();
        for (Route r : router.getRoutes()) {
            var methods = r.methods();
            boolean anyMethod = methods == null || methods.isEmpty();
            // a path with parameters is a regex route to Vert.x too: its name is the path as mounted
            String path = r.getPath() != null ? r.getPath() : r.getName();
            if (path == null) {
                continue;
            }
            boolean plain = path.matches("[A-Za-z0-9_./:*-]+");
            if (!plain) {
                if (!anyMethod && (path.startsWith("^/v1") || path.startsWith("/v1"))) {
                    missing.add(methods + " " + path + " (a regex route: give it a plain path)");
                }
                continue;
            }
            if (!(path.equals("/v1") || path.startsWith("/v1/"))) {
                continue;
            }
            if (anyMethod) {
                // a prefix route (/v1/*) is a filter, like the authentication; an exact one serves requests
                if (!path.endsWith("*") && !path.endsWith("/") && TABLE.stream().noneMatch(e -> e.path().equals(path))) {
                    missing.add("* " + path);
                }
                continue;
            }
            for (HttpMethod m : methods) {
                if (TABLE.stream().noneMatch(e -> e.method().equals(m) && e.path().equals(path))) {
                    missing.add(m + " " + path);
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("routes without a scope in io.huibo.auth.RouteScopes: " + missing);
        }
    }
}
