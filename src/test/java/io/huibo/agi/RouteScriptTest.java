package io.huibo.agi;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.domain.CallFlow;
import io.huibo.domain.CallState;
import io.huibo.domain.CallerPresentation;
import io.huibo.domain.Callback;
import io.huibo.domain.CallbackIds;
import io.huibo.domain.Leg;
import io.huibo.domain.PhoneNumber;
import io.huibo.routing.DialTemplate;
import io.huibo.routing.RouteChoice;
import io.huibo.routing.Routes;
import io.huibo.routing.StaticRoutes;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RouteScriptTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC);

    private final Map<String, Callback> store = new HashMap<>();
    private final List<String> stored = new ArrayList<>();
    private final CallbackLookup lookup = id -> Future.succeededFuture(Optional.ofNullable(store.get(id)));
    /** Like CallbackStore.setDestination: only when still null, answers what the callback has afterwards. */
    private final CallbackDestinations destinations = (id, d) -> {
        Callback cb = store.get(id);
        if (cb == null) {
            return Future.succeededFuture(Optional.empty());
        }
        if (cb.destination() == null) {
            stored.add(id + "=" + d);
            cb = new Callback(cb.id(), cb.number(), d, null, 0, 3, Map.of(), null, cb.state(), cb.attempts(),
                    cb.dueAt(), cb.createdAt(), cb.updatedAt(), cb.flow(), cb.confirm());
            store.put(id, cb);
        }
        return Future.succeededFuture(Optional.of(cb.destination()));
    };
    private final StaticRoutes routes = new StaticRoutes(
            List.of(DialTemplate.parse("PJSIP/{number}@trunk"), DialTemplate.parse("PJSIP/{number}@backup")),
            List.of(DialTemplate.parse("PJSIP/{number}@carrier")));
    private final RouteHandouts handouts = new RouteHandouts();
    private final RouteScript script = new RouteScript(routes, lookup, destinations, handouts, 25, CLOCK);

    static Callback callback(String id, String number, String destination, CallState state, int attempts) {
        return callback(id, number, destination, state, attempts, CallFlow.CUSTOMER_FIRST);
    }

    static Callback callback(String id, String number, String destination, CallState state, int attempts, CallFlow flow) {
        Instant now = CLOCK.instant();
        return new Callback(id, PhoneNumber.of(number), destination == null ? null : PhoneNumber.of(destination), null,
                0, 3, Map.of(), null, state, attempts, now, now, now, flow, false);
    }

    static AgiRequest request(String leg, String... args) {
        return requestWith("route?leg=" + leg, args);
    }

    static AgiRequest requestWith(String script, String... args) {
        Map<String, String> env = new HashMap<>();
        env.put("agi_network_script", script);
        env.put("agi_channel", "Local/s@huibo-leg-a-00000001;2");
        for (int i = 0; i < args.length; i++) {
            env.put("agi_arg_" + (i + 1), args[i]);
        }
        return FastAgiServer.toRequest(env);
    }

    private FakeSession run(AgiRequest req) {
        return run(script, req);
    }

    static FakeSession run(AgiScript s, AgiRequest req) {
        FakeSession session = new FakeSession(req);
        Future<Void> f = s.run(session);
        assertThat(f.succeeded()).as("script future: %s", f.cause()).isTrue();
        return session;
    }

    @Test
    void customerFirstLegADialsTheNumberWithFailoverAndLegBTheDestination() {
        String id = CallbackIds.next();
        store.put(id, callback(id, "+4930111111", "+4930222222", CallState.DIALING, 2));

        assertThat(run(request("a", id, "2")).commands).containsExactly(
                "SET VARIABLE HUIBO_DIAL_1 \"PJSIP/+4930111111@trunk\"",
                "SET VARIABLE HUIBO_DIAL_2 \"PJSIP/+4930111111@backup\"",
                "SET VARIABLE HUIBO_DIAL_COUNT \"2\"",
                "SET VARIABLE HUIBO_RING_TIMEOUT \"25\"");
        // the agent sees who is calling: the customer
        assertThat(run(request("b", id, "2")).commands).containsExactly(
                "SET VARIABLE HUIBO_DIAL_1 \"PJSIP/+4930222222@carrier\"",
                "SET VARIABLE HUIBO_CID \"+4930111111\"",
                "SET VARIABLE HUIBO_DIAL_COUNT \"1\"",
                "SET VARIABLE HUIBO_RING_TIMEOUT \"25\"");
        assertThat(script.count(RouteScript.Decision.ROUTED)).isEqualTo(2);
        assertThat(handouts.get(id, 2, Leg.A).orElseThrow()).extracting(RouteChoice::trunkId)
                .containsExactly("static-a1", "static-a2");
        assertThat(handouts.get(id, 2, Leg.B).orElseThrow()).extracting(c -> c.dial().value())
                .containsExactly("PJSIP/+4930222222@carrier");
    }

    @Test
    void agentFirstSwapsTheLegs() {
        String id = CallbackIds.next();
        store.put(id, callback(id, "+4930111111", "2001", CallState.DIALING, 1, CallFlow.AGENT_FIRST));
        assertThat(run(request("a", id, "1")).commands).first().isEqualTo("SET VARIABLE HUIBO_DIAL_1 \"PJSIP/2001@trunk\"");
        assertThat(run(request("b", id, "1")).commands).first()
                .isEqualTo("SET VARIABLE HUIBO_DIAL_1 \"PJSIP/+4930111111@carrier\"");
    }

    @Test
    void eachLegSeesTheConfiguredIdentityNeverNothing() {
        RouteScript branded = new RouteScript(routes, lookup, destinations, handouts, 25,
                new CallerPresentation(PhoneNumber.of("+4930900900"), "Acme Support", true), CLOCK);
        String id = CallbackIds.next();
        store.put(id, callback(id, "+4930111111", "2001", CallState.DIALING, 1));
        // customer-first: the customer sees the business, the agent the customer
        assertThat(run(branded, request("a", id, "1")).commands).contains(
                "SET VARIABLE HUIBO_CID \"+4930900900\"", "SET VARIABLE HUIBO_CIDNAME \"Acme Support\"");
        assertThat(run(branded, request("b", id, "1")).commands).contains("SET VARIABLE HUIBO_CID \"+4930111111\"")
                .noneMatch(c -> c.contains("HUIBO_CIDNAME"));

        // agent-first, with the callback's own caller ID and agents shown the business too
        RouteScript businessForAgents = new RouteScript(routes, lookup, destinations, handouts, 25,
                new CallerPresentation(PhoneNumber.of("+4930900900"), "Acme", false), CLOCK);
        String id2 = CallbackIds.next();
        Callback cb = callback(id2, "+4930111111", "2001", CallState.DIALING, 1, CallFlow.AGENT_FIRST);
        store.put(id2, new Callback(cb.id(), cb.number(), cb.destination(), "+4930555555", 0, 3, Map.of(), null,
                cb.state(), cb.attempts(), cb.dueAt(), cb.createdAt(), cb.updatedAt(), cb.flow(), false));
        assertThat(run(businessForAgents, request("a", id2, "1")).commands).contains(
                "SET VARIABLE HUIBO_DIAL_1 \"PJSIP/2001@trunk\"", "SET VARIABLE HUIBO_CID \"+4930555555\"");
        assertThat(run(businessForAgents, request("b", id2, "1")).commands).contains(
                "SET VARIABLE HUIBO_DIAL_1 \"PJSIP/+4930111111@carrier\"", "SET VARIABLE HUIBO_CID \"+4930555555\"",
                "SET VARIABLE HUIBO_CIDNAME \"Acme\"");
    }

    @Test
    void aMissingDestinationIsCollectedValidatedAndStoredOnce() {
        String id = CallbackIds.next();
        store.put(id, callback(id, "+4930111111", null, CallState.DIALING, 1));

        assertThat(run(request("b", id, "1")).commands).containsExactly("SET VARIABLE HUIBO_COLLECT \"1\"");
        assertThat(script.count(RouteScript.Decision.COLLECT)).isEqualTo(1);

        // keyed digits that are not 2-20 plain digits never reach a route, nor the store
        for (String bad : List.of("", "1", "12#", "+4930", "123&PJSIP/666", "1".repeat(21), "12 3")) {
            assertThat(run(requestWith("route?leg=b&collected=1", id, "1", bad)).commands).as(bad)
                    .containsExactly("SET VARIABLE HUIBO_ERROR \"bad-destination\"");
        }
        assertThat(run(requestWith("route?leg=b&collected=1", id, "1")).commands)
                .containsExactly("SET VARIABLE HUIBO_ERROR \"bad-destination\"");
        assertThat(stored).isEmpty();

        assertThat(run(requestWith("route?leg=b&collected=1", id, "1", "0301234567")).commands).containsExactly(
                "SET VARIABLE HUIBO_DIAL_1 \"PJSIP/0301234567@carrier\"",
                "SET VARIABLE HUIBO_CID \"+4930111111\"",
                "SET VARIABLE HUIBO_DIAL_COUNT \"1\"",
                "SET VARIABLE HUIBO_RING_TIMEOUT \"25\"");
        // a second, different keyed number does not redirect the callback
        assertThat(run(requestWith("route?leg=b&collected=1", id, "1", "0309999999")).commands).first()
                .isEqualTo("SET VARIABLE HUIBO_DIAL_1 \"PJSIP/0301234567@carrier\"");
        assertThat(stored).containsExactly(id + "=0301234567");
        // collected=1 belongs to leg B only
        assertThat(run(requestWith("route?leg=a&collected=1", id, "1", "0301234567")).commands)
                .containsExactly("SET VARIABLE HUIBO_ERROR \"bad-leg\"");
    }

    @Test
    void refusalsSetOnlyHuiboError() {
        String id = CallbackIds.next();
        store.put(id, callback(id, "+4930111111", "100", CallState.DIALING, 1));
        String done = CallbackIds.next();
        store.put(done, callback(done, "+4930111111", "100", CallState.COMPLETED, 1));
        String cancelled = CallbackIds.next();
        store.put(cancelled, callback(cancelled, "+4930111111", "100", CallState.CANCELLED, 1));
        String agentNoDest = CallbackIds.next();
        store.put(agentNoDest, callback(agentNoDest, "+4930111111", null, CallState.DIALING, 1, CallFlow.AGENT_FIRST));

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
        cases.put(request("a", agentNoDest, "1"), "no-destination");
        cases.forEach((req, reason) -> assertThat(run(req).commands).as(reason)
                .containsExactly("SET VARIABLE HUIBO_ERROR \"" + reason + "\""));
        assertThat(script.count(RouteScript.Decision.ROUTED)).isZero();
        assertThat(script.count(RouteScript.Decision.ATTEMPT_MISMATCH)).isEqualTo(2);
        assertThat(script.decisions()).isEqualTo(cases.size());
        assertThat(handouts.size()).isZero();
    }

    @Test
    void lookupFailureAndEmptyRouteAreRefusals() {
        RouteScript failing = new RouteScript(routes, id -> Future.failedFuture(new RuntimeException("db down")),
                destinations, handouts, 30, CLOCK);
        assertThat(run(failing, request("a", CallbackIds.next(), "1")).commands)
                .containsExactly("SET VARIABLE HUIBO_ERROR \"lookup-failed\"");

        String id = CallbackIds.next();
        store.put(id, callback(id, "+4930111111", "100", CallState.QUEUED, 1));
        Routes none = new Routes() {
            @Override
            public Future<List<RouteChoice>> choose(io.huibo.routing.RouteQuery q) {
                return Future.succeededFuture(List.of());
            }

            @Override
            public void report(String c, int a, String t, String s) {
            }

            @Override
            public void release(String c, int a) {
            }
        };
        RouteScript noRoute = new RouteScript(none, lookup, destinations, handouts, 30, CLOCK);
        assertThat(run(noRoute, request("a", id, "1")).commands).containsExactly("SET VARIABLE HUIBO_ERROR \"no-route\"");
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
