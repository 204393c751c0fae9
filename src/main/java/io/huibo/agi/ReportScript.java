package io.huibo.agi;

import io.huibo.logging.CallMdc;
import io.huibo.domain.CallbackIds;
import io.huibo.domain.Leg;
import io.huibo.routing.RouteChoice;
import io.huibo.routing.Routes;
import io.huibo.store.RouteTryStore.RouteTry;
import java.time.Clock;
import io.vertx.core.Future;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code report} script the dialplan calls after every Dial() of a route:
 * {@code AGI(agi://${HUIBO_AGI}/report?leg=a,${HUIBO_CALLBACK},${HUIBO_ATTEMPT},${HUIBO_TRY},${DIALSTATUS},${HANGUPCAUSE})}.
 *
 * <p>Records the try (trunk and dial string from what {@code route} handed out), tells the routing
 * how the trunk did, and sets {@code HUIBO_NEXT=1} only for a route failure (CONGESTION,
 * CHANUNAVAIL) with another route left, {@code 0} otherwise. BUSY and NOANSWER are the callee's answer, not the route's:
 * another trunk would ring the same person again. Bad arguments set {@code HUIBO_ERROR}; no
 * failover then.
 *
 * <p>The record is written without waiting for it: the call must not hang on the database, and a
 * lost row costs a line in the history, not the call.
 */
public final class ReportScript implements AgiScript {

    private static final Logger LOG = LoggerFactory.getLogger(ReportScript.class);

    public static final String NAME = "report";
    public static final String VAR_NEXT = "HUIBO_NEXT";
    public static final String VAR_ERROR = RouteScript.VAR_ERROR;
    public static final List<String> VARIABLES = List.of(VAR_NEXT, VAR_ERROR);
    static final int MAX_TRY = 99;

    private final Routes routes;
    private final RouteTryLog log;
    private final RouteHandouts handouts;
    private final Clock clock;
    private final LongAdder reports = new LongAdder();
    private final LongAdder failovers = new LongAdder();
    private final LongAdder refused = new LongAdder();

    public ReportScript(Routes routes, RouteTryLog log, RouteHandouts handouts, Clock clock) {
        this.routes = Objects.requireNonNull(routes, "routes");
        this.log = Objects.requireNonNull(log, "log");
        this.handouts = Objects.requireNonNull(handouts, "handouts");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String name() {
        return NAME;
    }

    public long reports() {
        return reports.sum();
    }

    public long failovers() {
        return failovers.sum();
    }

    public long refused() {
        return refused.sum();
    }

    @Override
    public Future<Void> run(AgiSession session) {
        AgiRequest req = session.request();
        Leg leg = RouteScript.leg(req.param("leg"));
        String id = req.arg(1);
        int attempt = RouteScript.attempt(req.arg(2));
        int tryIndex = RouteScript.attempt(req.arg(3));
        String status = dialStatus(req.arg(4));
        Integer cause = cause(req.arg(5));
        String bad = leg == null ? "bad-leg" : !CallbackIds.isValid(id) ? "bad-callback-id"
                : attempt < 1 ? "bad-attempt" : tryIndex < 1 || tryIndex > MAX_TRY ? "bad-try"
                : status == null ? "bad-dial-status" : cause != null && cause < 0 ? "bad-cause" : null;
        if (bad != null) {
            refused.increment();
            LOG.info("report: {} (channel {}, args {})", bad, AgiCommands.printable(req.channel()),
                    RouteScript.printableArgs(req));
            // HUIBO_NEXT of an earlier try is still set on the channel: clear it, no failover on bad input
            return session.setVariable(VAR_NEXT, "0").compose(v -> session.setVariable(VAR_ERROR, bad));
        }
        reports.increment();
        Optional<List<RouteChoice>> handed = handouts.get(id, attempt, leg);
        handouts.reported(id, attempt, leg, tryIndex);
        RouteChoice used = handed.filter(l -> tryIndex <= l.size()).map(l -> l.get(tryIndex - 1)).orElse(null);
        if (used == null) {
            CallMdc.log(id, attempt, null, null, () -> LOG.info(
                    "report: callback {} attempt {} leg {} try {}: no route of this instance known for it",
                    id, attempt, leg.wire(), tryIndex));
        }
        RouteTry t = new RouteTry(id, attempt, leg, tryIndex, used == null ? null : used.trunkId(),
                used == null ? null : used.dial().value(), status, cause == null || cause < 0 ? null : cause,
                clock.instant());
        try {
            log.record(t).onFailure(e -> LOG.warn("report: recording try {} of callback {} failed: {}", tryIndex,
                    id, e.toString()));
        } catch (RuntimeException e) {
            LOG.warn("report: recording try {} of callback {} failed: {}", tryIndex, id, e.toString());
        }
        if (used != null) {
            try {
                routes.report(id, attempt, used.trunkId(), status);
            } catch (RuntimeException e) {
                LOG.warn("report: routing refused the report of trunk {}: {}", used.trunkId(), e.toString());
            }
        }
        boolean routeFailure = status.equals("CONGESTION") || status.equals("CHANUNAVAIL");
        // without the list (another instance, or expired) the dialplan's own HUIBO_TRY < HUIBO_DIAL_COUNT decides
        boolean moreLeft = handed.map(l -> tryIndex < l.size()).orElse(true);
        if (routeFailure && moreLeft) {
            failovers.increment();
            return session.setVariable(VAR_NEXT, "1");
        }
        // always set: the value of the previous try is still on the channel
        return session.setVariable(VAR_NEXT, "0");
    }

    /**
     * The attempt ended. A try that was answered is never reported by the dialplan (Dial() bridged,
     * and the call ends with it), so it is recorded here: the try after the last reported one, for
     * leg A if it answered and for leg B if the call connected.
     */
    public void attemptEnded(String callbackId, int attempt, boolean legAAnswered, boolean connected) {
        for (Leg leg : Leg.values()) {
            if (leg == Leg.A ? !legAAnswered : !connected) {
                continue;
            }
            handouts.answeredTry(callbackId, attempt, leg).ifPresent(n -> {
                RouteChoice used = handouts.get(callbackId, attempt, leg).orElseThrow().get(n - 1);
                RouteTry t = new RouteTry(callbackId, attempt, leg, n, used.trunkId(), used.dial().value(), "ANSWER",
                        null, clock.instant());
                try {
                    log.record(t).onFailure(e -> LOG.warn("recording the answered try of callback {} failed: {}",
                            callbackId, e.toString()));
                } catch (RuntimeException e) {
                    LOG.warn("recording the answered try of callback {} failed: {}", callbackId, e.toString());
                }
            });
        }
        handouts.attemptEnded(callbackId, attempt);
    }

    /** DIALSTATUS as Asterisk sets it: upper-case letters only, short; null otherwise. */
    static String dialStatus(String s) {
        if (s == null || s.isEmpty() || s.length() > 16) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 'A' || c > 'Z') {
                return null;
            }
        }
        return s;
    }

    /** HANGUPCAUSE: empty or missing is null (no cause), 0-999 the cause, anything else -1. */
    static Integer cause(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        return RouteScript.attempt(s) >= 1 ? Integer.valueOf(RouteScript.attempt(s)) : s.equals("0") ? 0 : -1;
    }
}
