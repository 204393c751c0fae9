package io.huibo.agi;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.CallbackIds;
import io.huibo.domain.PhoneNumber;
import io.huibo.routing.DialTemplate;
import io.huibo.routing.StaticRouter;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RouteScriptTest {

    private final Map<String, Callback> store = new HashMap<>();
    private final CallbackLookup lookup = id -> Future.succeededFuture(Optional.ofNullable(store.get(id)));
    private final StaticRouter router = new StaticRouter(DialTemplate.parse("PJSIP/{number}@trunk"),
            DialTemplate.parse("PJSIP/{number}@carrier"));
    private final RouteScript script = new RouteScript(router, lookup, 25);

    static Callback callback(String id, String number, String destination, CallState state, int attempts) {
        Instant now = Instant.parse("2026-11-25T10:00:00Z");
        return new Callback(id, PhoneNumber.of(number), PhoneNumber.of(destination), null, 0, 3, Map.of(), null,
                state, attempts, now, now, now);
    }

    static AgiRequest request(String leg, String... args) {
        Map<String, String> env = new HashMap<>();
        env.put("agi_network_script", "route?leg=" + leg);
        env.put("agi_channel", "Local/s@huibo-leg-a-00000001;2");
        for (int i = 0; i < args.length; i++) {
            env.put("agi_arg_" + (i + 1), args[i]);
        }
        return FastAgiServer.toRequest(env);
    }

    private FakeSession run(AgiRequest req) {
        FakeSession s = new FakeSession(req);
        Future<Void> f = script.run(s);
        assertThat(f.succeeded()).as("script future: %s", f.cause()).isTrue();
        return s;
    }

    @Test
    void legAdialsTheNumberAndLegBTheDestination() {
        String id = CallbackIds.next();
        store.put(id, callback(id, "+4930111111", "+4930222222", CallState.DIALING, 2));

        assertThat(run(request("a", id, "2")).commands).containsExactly(
                "SET VARIABLE HUIBO_DIAL \"PJSIP/+4930111111@trunk\"",
                "SET VARIABLE HUIBO_RING_TIMEOUT \"25\"");
        assertThat(run(request("b", id, "2")).commands).containsExactly(
                "SET VARIABLE HUIBO_DIAL \"PJSIP/+4930222222@carrier\"",
                "SET VARIABLE HUIBO_RING_TIMEOUT \"25\"");
        assertThat(script.count(RouteScript.Decision.ROUTED)).isEqualTo(2);
        assertThat(script.decisions()).isEqualTo(2);
    }

    @Test
    void refusalsSetOnlyHuiboError() {
        String id = CallbackIds.next();
        store.put(id, callback(id, "+4930111111", "100", CallState.DIALING, 1));
        String done = CallbackIds.next();
        store.put(done, callback(done, "+4930111111", "100", CallState.COMPLETED, 1));
        String cancelled = CallbackIds.next();
        store.put(cancelled, callback(cancelled, "+4930111111", "100", CallState.CANCELLED, 1));

        Map<AgiRequest, String> cases = new java.util.LinkedHashMap<>();
        cases.put(request("c", id, "1"), "bad-leg");
        cases.put(request("", id, "1"), "bad-leg");
        cases.put(request("a", "not-an-id", "1"), "bad-callback-id");
        cases.put(request("a", id + "&x", "1"), "bad-callback-id");
        cases.put(request("a"), "bad-callback-id");
        cases.put(request("a", id, "x"), "bad-attempt");
        cases.put(request("a", id, "0"), "bad-attempt");
        cases.put(request("a", id), "bad-attempt");
        cases.put(request("a", CallbackIds.next(), "1"), "unknown-callback");
        cases.put(request("a", done, "1"), "callback-finished");
        cases.put(request("b", cancelled, "1"), "callback-finished");
        cases.put(request("a", id, "2"), "attempt-mismatch");
        cases.put(request("b", id, "3"), "attempt-mismatch");
        cases.forEach((req, reason) -> assertThat(run(req).commands).as(reason)
                .containsExactly("SET VARIABLE HUIBO_ERROR \"" + reason + "\""));
        assertThat(script.count(RouteScript.Decision.ROUTED)).isZero();
        assertThat(script.count(RouteScript.Decision.ATTEMPT_MISMATCH)).isEqualTo(2);
        assertThat(script.decisions()).isEqualTo(cases.size());
    }

    @Test
    void lookupFailureAndEmptyRouteAreRefusals() {
        RouteScript failing = new RouteScript(router, id -> Future.failedFuture(new RuntimeException("db down")), 30);
        FakeSession s = new FakeSession(request("a", CallbackIds.next(), "1"));
        assertThat(failing.run(s).succeeded()).isTrue();
        assertThat(s.commands).containsExactly("SET VARIABLE HUIBO_ERROR \"lookup-failed\"");

        String id = CallbackIds.next();
        store.put(id, callback(id, "+4930111111", "100", CallState.QUEUED, 1));
        RouteScript noRoute = new RouteScript((leg, cb) -> List.of(), lookup, 30);
        FakeSession s2 = new FakeSession(request("a", id, "1"));
        assertThat(noRoute.run(s2).succeeded()).isTrue();
        assertThat(s2.commands).containsExactly("SET VARIABLE HUIBO_ERROR \"no-route\"");
        assertThat(noRoute.count(RouteScript.Decision.NO_ROUTE)).isEqualTo(1);
    }

    @Test
    void attemptParsingIsStrict() {
        assertThat(RouteScript.attempt("1")).isEqualTo(1);
        assertThat(RouteScript.attempt("10")).isEqualTo(10);
        assertThat(RouteScript.attempt("-1")).isEqualTo(-1);
        assertThat(RouteScript.attempt(" 1")).isEqualTo(-1);
        assertThat(RouteScript.attempt("1e3")).isEqualTo(-1);
        assertThat(RouteScript.attempt("99999999999")).isEqualTo(-1);
    }
}
