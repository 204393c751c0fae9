package io.huibo.agi;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.domain.Leg;
import io.huibo.domain.PhoneNumber;
import io.huibo.routing.DialTemplate;
import io.huibo.routing.RouteChoice;
import io.huibo.routing.RouteQuery;
import io.huibo.routing.Routes;
import io.huibo.routing.StaticRoutes;
import io.huibo.store.RouteTryStore.RouteTry;
import io.vertx.core.Future;
import io.huibo.domain.CallbackIds;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportScriptTest {

    private final List<RouteTry> recorded = new ArrayList<>();
    private final List<String> reportedToRouting = new ArrayList<>();
    private final StaticRoutes statics = new StaticRoutes(
            List.of(DialTemplate.parse("PJSIP/{number}@one"), DialTemplate.parse("PJSIP/{number}@two"),
                    DialTemplate.parse("PJSIP/{number}@three")),
            List.of(DialTemplate.parse("PJSIP/{number}@agents")));
    private final Routes routes = new Routes() {
        @Override
        public Future<List<RouteChoice>> choose(RouteQuery q) {
            return statics.choose(q);
        }

        @Override
        public void report(String callbackId, int attempt, String trunkId, String dialStatus) {
            reportedToRouting.add(trunkId + ":" + dialStatus);
        }

        @Override
        public void release(String callbackId, int attempt) {
        }
    };
    private final RouteHandouts handouts = new RouteHandouts();
    private final ReportScript script = new ReportScript(routes, t -> {
        recorded.add(t);
        return Future.succeededFuture();
    }, handouts, RouteScriptTest.CLOCK);

    private List<String> report(String leg, String... args) {
        return RouteScriptTest.run(script, RouteScriptTest.requestWith("report?leg=" + leg, args)).commands;
    }

    private String handOut(int attempt) {
        String id = CallbackIds.next();
        handouts.remember(id, attempt, Leg.A, statics.choose(new RouteQuery(id, attempt, Leg.A,
                PhoneNumber.of("+4930111111"), RouteScriptTest.CLOCK.instant())).result());
        return id;
    }

    @Test
    void routeFailuresFailOverUntilTheLastRoute() {
        String id = handOut(1);
        assertThat(report("a", id, "1", "1", "CONGESTION", "34")).containsExactly("SET VARIABLE HUIBO_NEXT \"1\"");
        assertThat(report("a", id, "1", "2", "CHANUNAVAIL", "")).containsExactly("SET VARIABLE HUIBO_NEXT \"1\"");
        assertThat(report("a", id, "1", "3", "CONGESTION", "34")).containsExactly("SET VARIABLE HUIBO_NEXT \"0\"");
        assertThat(recorded).extracting(RouteTry::tryIndex).containsExactly(1, 2, 3);
        assertThat(recorded).extracting(RouteTry::trunkId).containsExactly("static-a1", "static-a2", "static-a3");
        assertThat(recorded).extracting(RouteTry::dialString)
                .containsExactly("PJSIP/+4930111111@one", "PJSIP/+4930111111@two", "PJSIP/+4930111111@three");
        assertThat(recorded).extracting(RouteTry::cause).containsExactly(34, null, 34);
        assertThat(recorded.get(0).leg()).isEqualTo(Leg.A);
        assertThat(reportedToRouting).containsExactly("static-a1:CONGESTION", "static-a2:CHANUNAVAIL",
                "static-a3:CONGESTION");
        assertThat(script.failovers()).isEqualTo(2);
    }

    @Test
    void busyAndNoAnswerAreTheCalleesAnswerNotARouteFailure() {
        String id = handOut(2);
        for (String status : List.of("BUSY", "NOANSWER", "ANSWER", "CANCEL")) {
            assertThat(report("a", id, "2", "1", status, "17")).as(status).containsExactly("SET VARIABLE HUIBO_NEXT \"0\"");
        }
        assertThat(script.failovers()).isZero();
    }

    @Test
    void anUnknownHandoutIsRecordedWithoutTrunkAndLeavesFailoverToTheDialplan() {
        String id = CallbackIds.next();
        assertThat(report("b", id, "1", "1", "CONGESTION", "34")).containsExactly("SET VARIABLE HUIBO_NEXT \"1\"");
        assertThat(recorded).singleElement().satisfies(t -> {
            assertThat(t.trunkId()).isNull();
            assertThat(t.dialString()).isNull();
            assertThat(t.leg()).isEqualTo(Leg.B);
        });
        assertThat(reportedToRouting).isEmpty();
    }

    @Test
    void badArgumentsClearNextAndSetError() {
        String id = handOut(1);
        assertThat(report("x", id, "1", "1", "BUSY", "17")).containsExactly("SET VARIABLE HUIBO_NEXT \"0\"",
                "SET VARIABLE HUIBO_ERROR \"bad-leg\"");
        assertThat(report("a", "nope", "1", "1", "BUSY", "17")).last().isEqualTo("SET VARIABLE HUIBO_ERROR \"bad-callback-id\"");
        assertThat(report("a", id, "0", "1", "BUSY", "17")).last().isEqualTo("SET VARIABLE HUIBO_ERROR \"bad-attempt\"");
        assertThat(report("a", id, "1", "100", "BUSY", "17")).last().isEqualTo("SET VARIABLE HUIBO_ERROR \"bad-try\"");
        assertThat(report("a", id, "1", "1", "busy&x", "17")).last().isEqualTo("SET VARIABLE HUIBO_ERROR \"bad-dial-status\"");
        assertThat(report("a", id, "1", "1", "BUSY", "x17")).last().isEqualTo("SET VARIABLE HUIBO_ERROR \"bad-cause\"");
        assertThat(recorded).isEmpty();
        assertThat(script.refused()).isEqualTo(6);
    }

    @Test
    void theAnsweredTryIsRecordedWhenTheAttemptEnds() {
        String id = handOut(1);
        report("a", id, "1", "1", "CONGESTION", "34");
        script.attemptEnded(id, 1, true, false);
        assertThat(recorded).extracting(t -> t.tryIndex() + ":" + t.trunkId() + ":" + t.dialStatus())
                .containsExactly("1:static-a1:CONGESTION", "2:static-a2:ANSWER");
        // nothing for a leg that never answered, nor for an attempt this instance did not route
        String other = handOut(1);
        script.attemptEnded(other, 1, false, false);
        script.attemptEnded(CallbackIds.next(), 1, true, true);
        assertThat(recorded).hasSize(2);
    }

    @Test
    void handoutsExpireAfterTheAttemptEnded() {
        long[] now = {0};
        RouteHandouts h = new RouteHandouts(java.time.Duration.ofHours(1), () -> now[0]);
        h.remember("X", 1, Leg.A, List.of());
        h.attemptEnded("X", 1);
        now[0] = RouteHandouts.AFTER_END.toNanos() - 1;
        assertThat(h.get("X", 1, Leg.A)).isPresent();
        now[0] = RouteHandouts.AFTER_END.toNanos();
        assertThat(h.get("X", 1, Leg.A)).isEmpty();
        h.remember("Y", 1, Leg.B, List.of());
        now[0] += java.time.Duration.ofHours(1).toNanos();
        assertThat(h.get("Y", 1, Leg.B)).isEmpty();
    }
}
