package io.huibo.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.config.HuiboConfig;
import io.huibo.domain.Leg;
import io.huibo.domain.PhoneNumber;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The strategies composed by the service, with a fixed clock and tables written as CSV. */
class RoutingServiceTest {

    static final String CN_MOBILE = "+8613800138000";
    static final String CN_FIXED = "+862066668888";
    static final String DE = "+4930123456";
    /** A Wednesday noon, Shanghai. */
    static final Instant NOON = LocalDateTime.of(2024, 1, 3, 12, 0).atZone(ZoneId.of("Asia/Shanghai")).toInstant();
    static final Instant NIGHT = LocalDateTime.of(2024, 1, 3, 23, 0).atZone(ZoneId.of("Asia/Shanghai")).toInstant();

    /** Tables as the API would import them; any of them may be null (empty). */
    static final class Source implements RoutingSource {
        RoutingData data = RoutingData.empty();

        void set(String trunks, String routes, String rates, String tables) {
            data = new RoutingData(data.version() + 1,
                    trunks == null ? List.of() : RoutingCsv.trunks(header(RoutingCsv.Kind.TRUNKS, trunks)).rows(),
                    routes == null ? List.of() : RoutingCsv.routes(header(RoutingCsv.Kind.ROUTES, routes)).rows(),
                    rates == null ? List.of() : RoutingCsv.rates(header(RoutingCsv.Kind.RATES, rates)).rows(),
                    tables == null ? List.of() : RoutingCsv.tables(header(RoutingCsv.Kind.TABLES, tables)).rows());
        }

        @Override
        public Future<Long> version() {
            return Future.succeededFuture(data.version());
        }

        @Override
        public Future<RoutingData> load() {
            return Future.succeededFuture(data);
        }
    }

    static String header(RoutingCsv.Kind kind, String body) {
        return String.join(",", kind.header()) + "\n" + body;
    }

    final Source source = new Source();
    final MutableClock clock = new MutableClock(NOON);
    final InMemoryTrunkLimiter limiter = new InMemoryTrunkLimiter();

    RoutingService service(int maxChoices) {
        RoutingService s = new RoutingService(source, new HuiboConfig.Routing("PJSIP/{number}@fallback-a",
                "PJSIP/{number}@fallback-b", "default", "default", Duration.ofSeconds(2), maxChoices), limiter, clock);
        s.reloadNow().result();
        return s;
    }

    static List<RouteChoice> choose(RoutingService s, String callbackId, Leg leg, String number, Instant at) {
        Future<List<RouteChoice>> f = s.choose(new RouteQuery(callbackId, 1, leg, PhoneNumber.of(number), at));
        assertThat(f.succeeded()).as("answered at once, from memory").isTrue();
        return f.result();
    }

    static List<String> trunks(List<RouteChoice> choices) {
        return choices.stream().map(RouteChoice::trunkId).toList();
    }

    static final String TRUNKS = """
            any,PJSIP/{number}@any,0,0,true
            cn,PJSIP/{number}@cn,0,0,true
            cnmobile,PJSIP/{number}@cnmobile,0,0,true
            de,SIP/de/{number},0,0,true
            """;

    @Test
    void longestPrefixPicksTheRegion() {
        source.set(TRUNKS, """
                default,,,any,1,,,,
                default,,86,cn,1,,,,
                default,,861,cnmobile,1,,,,
                default,,49,de,1,,,,
                """, null, "default,prefix\n");
        RoutingService s = service(3);
        assertThat(trunks(choose(s, "c1", Leg.B, CN_MOBILE, NOON))).containsExactly("cnmobile");
        assertThat(trunks(choose(s, "c2", Leg.B, CN_FIXED, NOON))).containsExactly("cn");
        assertThat(choose(s, "c3", Leg.B, DE, NOON)).containsExactly(
                new RouteChoice("de", DialTemplate.parse("SIP/de/{number}").expand(PhoneNumber.of(DE))));
        assertThat(trunks(choose(s, "c4", Leg.B, "+3312345678", NOON))).containsExactly("any");
    }

    @Test
    void aRouteNeverCarriesANumberOutsideItsPrefixWhateverTheChain() {
        source.set(TRUNKS, """
                default,,86,cn,1,,,,
                default,,49,de,1,,,,
                """, null, "default,wrr\n");
        RoutingService s = service(3);
        assertThat(trunks(choose(s, "c1", Leg.A, DE, NOON))).containsExactly("de");
        assertThat(choose(s, "c2", Leg.A, "+3312345678", NOON)).isEmpty();
    }

    @Test
    void nightRouteInShanghaiTimeWithTheDayRouteOtherwise() {
        source.set(TRUNKS, """
                default,,86,cn,1,Asia/Shanghai,Mon-Fri,22:00,06:00
                default,,,any,1,,,,
                """, null, "default,\"time,prefix\"\n");
        RoutingService s = service(3);
        // the question carries no time: the service's clock decides
        clock.now = NIGHT;
        assertThat(trunks(choose(s, "c1", Leg.B, CN_MOBILE, null))).containsExactly("cn");
        clock.now = NOON;
        assertThat(trunks(choose(s, "c2", Leg.B, CN_MOBILE, null))).containsExactly("any");
        // Saturday 03:00 in Shanghai is still Friday's night; Monday 03:00 is Sunday's, which is not in Mon-Fri
        Instant saturday3 = LocalDateTime.of(2024, 1, 6, 3, 0).atZone(ZoneId.of("Asia/Shanghai")).toInstant();
        Instant monday3 = LocalDateTime.of(2024, 1, 8, 3, 0).atZone(ZoneId.of("Asia/Shanghai")).toInstant();
        assertThat(trunks(choose(s, "c3", Leg.B, CN_MOBILE, saturday3))).containsExactly("cn");
        assertThat(trunks(choose(s, "c4", Leg.B, CN_MOBILE, monday3))).containsExactly("any");
    }

    static final String PRICED_TRUNKS = """
            cheap,PJSIP/{number}@cheap,1,0,true
            mid,PJSIP/{number}@mid,0,0,true
            dear,PJSIP/{number}@dear,0,0,true
            """;
    static final String PRICED_ROUTES = """
            default,,86,dear,1,,,,
            default,,86,mid,1,,,,
            default,,86,cheap,1,,,,
            """;
    /** dear is cheapest for "everything", but the longer prefix 86 is what counts for a Chinese number. */
    static final String RATES = """
            cheap,86,0.01
            mid,86,0.02
            dear,,0.001
            dear,86,0.05
            """;

    @Test
    void leastCostUsesTheLongestRatePrefixAndSkipsTheCheapestAtCapacity() {
        source.set(PRICED_TRUNKS, PRICED_ROUTES, RATES, "default,\"prefix,cost\"\n");
        RoutingService s = service(3);
        List<RouteChoice> first = choose(s, "c1", Leg.B, CN_MOBILE, NOON);
        assertThat(trunks(first)).containsExactly("cheap", "mid", "dear");
        assertThat(first.get(0).dial().value()).isEqualTo("PJSIP/" + CN_MOBILE + "@cheap");
        // cheap carries one call at a time and c1 holds it: the next cheapest comes first
        assertThat(trunks(choose(s, "c2", Leg.B, CN_MOBILE, NOON))).containsExactly("mid", "dear");
        assertThat(limiter.active("cheap")).isEqualTo(1);
        s.release("c1", 1);
        assertThat(limiter.active("cheap")).isZero();
        assertThat(trunks(choose(s, "c3", Leg.B, CN_MOBILE, NOON))).containsExactly("cheap", "mid", "dear");
    }

    @Test
    void aTrunkWithoutARateComesAfterThePricedOnes() {
        source.set(PRICED_TRUNKS, PRICED_ROUTES, "mid,86,0.02\ncheap,86,0.01\n", "default,cost\n");
        RoutingService s = service(3);
        assertThat(trunks(choose(s, "c1", Leg.B, CN_MOBILE, NOON))).containsExactly("cheap", "mid", "dear");
        // a German number has no rate anywhere: the table order stays
        source.set(PRICED_TRUNKS, "default,,,dear,1,,,,\ndefault,,,mid,1,,,,\n", "mid,86,0.02\n", "default,cost\n");
        s.reloadNow().result();
        assertThat(trunks(choose(s, "c2", Leg.B, DE, NOON))).containsExactly("dear", "mid");
    }

    @Test
    void weightedRoundRobinFollowsTheWeightsSmoothly() {
        source.set("""
                a,PJSIP/{number}@a,0,0,true
                b,PJSIP/{number}@b,0,0,true
                c,PJSIP/{number}@c,0,0,true
                z,PJSIP/{number}@z,0,0,true
                """, """
                default,,86,a,5,,,,
                default,,86,b,1,,,,
                default,,86,c,1,,,,
                default,,86,z,0,,,,
                """, null, "default,\"prefix,wrr\"\n");
        RoutingService s = service(4);
        Map<String, Integer> firsts = new HashMap<>();
        List<String> sequence = new ArrayList<>();
        for (int i = 0; i < 700; i++) {
            List<RouteChoice> r = choose(s, "c" + i, Leg.B, CN_MOBILE, NOON);
            assertThat(r).hasSize(4);
            assertThat(r.get(3).trunkId()).as("weight 0: failover only, last").isEqualTo("z");
            firsts.merge(r.get(0).trunkId(), 1, Integer::sum);
            if (i < 7) {
                sequence.add(r.get(0).trunkId());
            }
            s.release("c" + i, 1);
        }
        assertThat(firsts).containsExactlyInAnyOrderEntriesOf(Map.of("a", 500, "b", 100, "c", 100));
        // smooth: a is never first more than twice in a row within a cycle of 7
        assertThat(sequence).containsOnly("a", "b", "c");
        assertThat(String.join("", sequence)).doesNotContain("aaa");
    }

    @Test
    void composedChainGivesTheFailoverOrder() {
        source.set("""
                night,PJSIP/{number}@night,0,0,true
                cheap,PJSIP/{number}@cheap,0,0,true
                mid,PJSIP/{number}@mid,0,0,true
                dear,PJSIP/{number}@dear,0,0,true
                off,PJSIP/{number}@off,0,0,false
                unpriced,PJSIP/{number}@unpriced,0,0,true
                de,PJSIP/{number}@de,0,0,true
                """, """
                default,,86,night,1,Asia/Shanghai,Mon-Fri,22:00,06:00
                default,,861,unpriced,1,,,,
                default,,861,dear,1,,,,
                default,,861,off,1,,,,
                default,,861,mid,1,,,,
                default,,861,cheap,1,,,,
                default,a,861,de,1,,,,
                default,,49,de,1,,,,
                """, """
                night,86,0.001
                cheap,86,0.01
                mid,86,0.02
                dear,86,0.05
                off,86,0.0001
                """, "default,\"time,prefix,cost\"\n");
        RoutingService s = service(3);
        // leg B at noon: the 861 routes (de is leg A only, off is disabled), cheapest first, unpriced last, 3 at most
        assertThat(trunks(choose(s, "c1", Leg.B, CN_MOBILE, NOON))).containsExactly("cheap", "mid", "dear");
        RoutingService all = service(10);
        assertThat(trunks(choose(all, "c2", Leg.B, CN_MOBILE, NOON))).containsExactly("cheap", "mid", "dear", "unpriced");
        assertThat(trunks(choose(all, "c3", Leg.A, CN_MOBILE, NOON)))
                .containsExactly("cheap", "mid", "dear", "unpriced", "de");
        // at night the night route is open but 861 is longer: prefix wins over the window's price
        assertThat(trunks(choose(all, "c4", Leg.B, CN_MOBILE, NIGHT))).containsExactly("cheap", "mid", "dear", "unpriced");
        // a fixed-line number only matches 86: the night route, only at night
        assertThat(trunks(choose(all, "c5", Leg.B, CN_FIXED, NIGHT))).containsExactly("night");
        assertThat(choose(all, "c6", Leg.B, CN_FIXED, NOON)).isEmpty();
    }

    @Test
    void callsPerSecondLimitSkipsTheTrunkUntilTheSecondIsOver() {
        source.set("""
                fast,PJSIP/{number}@fast,0,2,true
                backup,PJSIP/{number}@backup,0,0,true
                """, """
                default,,,fast,1,,,,
                default,,,backup,1,,,,
                """, null, "default,prefix\n");
        RoutingService s = service(3);
        Instant t = NOON;
        assertThat(trunks(choose(s, "c1", Leg.B, DE, t))).containsExactly("fast", "backup");
        assertThat(trunks(choose(s, "c2", Leg.B, DE, t.plusMillis(300)))).containsExactly("fast", "backup");
        // a released call still counted as a call start in this second
        s.release("c1", 1);
        assertThat(trunks(choose(s, "c3", Leg.B, DE, t.plusMillis(999)))).containsExactly("backup");
        assertThat(trunks(choose(s, "c4", Leg.B, DE, t.plusMillis(1000)))).containsExactly("fast", "backup");
        assertThat(trunks(choose(s, "c5", Leg.B, DE, t.plusMillis(1100)))).containsExactly("backup");
    }

    @Test
    void reportCountsFailuresPerTrunkAndFreesTheTry() {
        source.set("one,PJSIP/{number}@one,1,0,true\n", "default,,,one,1,,,,\n", null, null);
        RoutingService s = service(3);
        assertThat(trunks(choose(s, "c1", Leg.A, DE, NOON))).containsExactly("one");
        assertThat(choose(s, "c2", Leg.A, DE, NOON)).as("the only trunk is full").isEmpty();
        s.report("c1", 1, "one", "CONGESTION");
        assertThat(trunks(choose(s, "c2", Leg.A, DE, NOON))).containsExactly("one");
        s.report("c2", 1, "one", "CHANUNAVAIL");
        s.report("c2", 1, "one", "ANSWER");
        s.report("c2", 1, "nosuchtrunk", "CONGESTION");
        s.report("c2", 1, "one", "x;y");
        assertThat(s.failures()).isEqualTo(Map.of("one", Map.of("CONGESTION", 1L, "CHANUNAVAIL", 1L, "OTHER", 1L)));
        assertThat(limiter.active("one")).isZero();
    }

    @Test
    void legFilterAndTablePerLeg() {
        source.set(TRUNKS, """
                default,a,,cn,1,,,,
                default,b,,de,1,,,,
                agents,,,any,1,,,,
                """, null, null);
        RoutingService s = service(3);
        assertThat(trunks(choose(s, "c1", Leg.A, CN_MOBILE, NOON))).containsExactly("cn");
        assertThat(trunks(choose(s, "c1", Leg.B, CN_MOBILE, NOON))).containsExactly("de");
        RoutingService agentFirst = new RoutingService(source, new HuiboConfig.Routing("PJSIP/{number}@x",
                "PJSIP/{number}@x", "agents", "default", Duration.ofSeconds(2), 3), limiter, clock);
        agentFirst.reloadNow().result();
        assertThat(trunks(choose(agentFirst, "c2", Leg.A, "2001", NOON))).containsExactly("any");
        assertThat(choose(agentFirst, "c2", Leg.A, "2001", NOON).get(0).dial().value()).isEqualTo("PJSIP/2001@any");
    }

    @Test
    void withoutAnyRouteTheConfiguredTemplatesAnswer() {
        source.set(TRUNKS, null, null, null);
        RoutingService s = service(3);
        assertThat(s.usingStaticRoutes()).isTrue();
        List<RouteChoice> a = choose(s, "c1", Leg.A, DE, NOON);
        assertThat(a).hasSize(1);
        assertThat(a.get(0).dial().value()).isEqualTo("PJSIP/" + DE + "@fallback-a");
        assertThat(choose(s, "c1", Leg.B, "2001", NOON).get(0).dial().value()).isEqualTo("PJSIP/2001@fallback-b");
        // once routes exist, the templates no longer answer
        source.set(TRUNKS, "default,,,de,1,,,,\n", null, null);
        assertThat(s.reloadIfChanged().result()).isTrue();
        assertThat(s.usingStaticRoutes()).isFalse();
        assertThat(trunks(choose(s, "c2", Leg.A, DE, NOON))).containsExactly("de");
    }

    @Test
    void reloadFollowsTheVersionAndNeverGoesBack() {
        source.set(TRUNKS, "default,,,de,1,,,,\n", null, null);
        RoutingService s = service(3);
        long v = s.version();
        assertThat(s.reloadIfChanged().result()).isFalse();
        source.set(TRUNKS, "default,,,cn,1,,,,\n", null, null);
        assertThat(s.reloadIfChanged().result()).isTrue();
        assertThat(s.version()).isEqualTo(v + 1);
        assertThat(trunks(choose(s, "c1", Leg.A, DE, NOON))).containsExactly("cn");
        s.install(new RoutingData(v, List.of(), List.of(), List.of(), List.of()));
        assertThat(s.version()).as("a late, older load is ignored").isEqualTo(v + 1);
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** A row stored before the policy changed (or by hand) is not used; the routes naming it find no trunk. */
    @Test
    void aTrunkTheAllowlistRefusesIsSkippedAtLoad() {
        source.set(TRUNKS, """
                default,,86,cn,1,,,,
                default,,,any,1,,,,
                """, null, "default,prefix\n");
        HuiboConfig.Routing cfg = new HuiboConfig.Routing("PJSIP/{number}@fallback-a", "PJSIP/{number}@fallback-b",
                "default", "default", Duration.ofSeconds(2), 3);
        TrunkAllowlist only = TrunkAllowlist.from(new HuiboConfig.TrunkPolicy(List.of("PJSIP"), List.of("any"),
                List.of()), cfg);
        RoutingService s = new RoutingService(source, cfg, only, limiter, clock);
        s.reloadNow().result();
        assertThat(s.allowlist()).isSameAs(only);
        assertThat(trunks(choose(s, "c1", Leg.B, CN_MOBILE, NOON))).containsExactly("any");
        assertThat(trunks(choose(service(3), "c2", Leg.B, CN_MOBILE, NOON)))
                .as("without the allowlist cn is the route").containsExactly("cn");
    }
}
