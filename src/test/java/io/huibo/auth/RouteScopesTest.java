package io.huibo.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RouteScopesTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close();
    }

    @Test
    void eachEntryIsFoundForItsOwnPathAndMethodOnly() {
        Set<String> seen = new HashSet<>();
        for (RouteScopes.Entry e : RouteScopes.table()) {
            assertThat(seen.add(e.method() + " " + e.path())).as("duplicate %s", e).isTrue();
            String concrete = e.path().replaceAll(":[a-z]+", "x1");
            assertThat(RouteScopes.required(e.method(), concrete)).as(e.toString()).contains(e.scope());
        }
        assertThat(RouteScopes.required(HttpMethod.OPTIONS, "/v1/callbacks")).isEmpty();
    }

    @Test
    void literalSegmentsWinOverParameters() {
        assertThat(RouteScopes.required(HttpMethod.POST, "/v1/callbacks/bulk")).contains(Scope.CALLBACKS_WRITE);
        assertThat(RouteScopes.required(HttpMethod.GET, "/v1/callbacks/01ARZ3NDEKTSV4RRFFQ69G5FAV")).contains(Scope.CALLBACKS_READ);
        assertThat(RouteScopes.required(HttpMethod.GET, "/v1/callbacks/abc/events")).contains(Scope.CALLBACKS_READ);
        assertThat(RouteScopes.required(HttpMethod.DELETE, "/v1/keys/0123456789ab")).contains(Scope.ADMIN);
        assertThat(RouteScopes.required(HttpMethod.GET, "/v1/callbacks//events")).isEmpty();
        assertThat(RouteScopes.required(HttpMethod.GET, "/v1/callbacks/a/b/c")).isEmpty();
    }

    @Test
    void theDocumentedScopes() {
        assertThat(RouteScopes.required(HttpMethod.POST, "/v1/callbacks")).contains(Scope.CALLBACKS_WRITE);
        assertThat(RouteScopes.required(HttpMethod.GET, "/v1/queue")).contains(Scope.OPERATE);
        assertThat(RouteScopes.required(HttpMethod.POST, "/v1/nodes/pbx1/drain")).contains(Scope.OPERATE);
        assertThat(RouteScopes.required(HttpMethod.PUT, "/v1/routing/trunks.csv")).contains(Scope.ROUTING);
        assertThat(RouteScopes.required(HttpMethod.POST, "/v1/admin/reload")).contains(Scope.ADMIN);
    }

    @Test
    void aRouterWhoseV1RoutesAllHaveEntriesPasses() {
        Router r = Router.router(vertx);
        r.route("/v1/*").handler(ctx -> ctx.next());
        r.route("/v1/callbacks/bulk").handler(BodyHandler.create());
        r.routeWithRegex("^/v1/(?!routing/).*").handler(BodyHandler.create());
        r.post("/v1/callbacks").handler(ctx -> ctx.end());
        r.get("/v1/callbacks/:id").handler(ctx -> ctx.end());
        r.get("/metrics").handler(ctx -> ctx.end());
        RouteScopes.verify(r);
    }

    @Test
    void aV1RouteWithoutAnEntryStopsTheStart() {
        Router r = Router.router(vertx);
        r.get("/v1/callbacks/:id").handler(ctx -> ctx.end());
        r.post("/v1/secret-door").handler(ctx -> ctx.end());
        assertThatThrownBy(() -> RouteScopes.verify(r)).hasMessageContaining("POST /v1/secret-door");

        Router methodless = Router.router(vertx);
        methodless.route("/v1/any-method").handler(ctx -> ctx.end());
        assertThatThrownBy(() -> RouteScopes.verify(methodless)).hasMessageContaining("/v1/any-method");

        Router wrongMethod = Router.router(vertx);
        wrongMethod.put("/v1/queue").handler(ctx -> ctx.end());
        assertThatThrownBy(() -> RouteScopes.verify(wrongMethod)).hasMessageContaining("PUT /v1/queue");
    }
}
