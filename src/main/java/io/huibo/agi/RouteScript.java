package io.huibo.agi;

import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.CallbackIds;
import io.huibo.domain.Leg;
import io.huibo.routing.DialString;
import io.huibo.routing.Router;
import io.vertx.core.Future;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code route} script the Huibo dialplan calls for each leg:
 * {@code AGI(agi://${HUIBO_AGI}/route?leg=a,${HUIBO_CALLBACK},${HUIBO_ATTEMPT})}.
 *
 * <p>On success it sets {@code HUIBO_DIAL} (the first dial string of the route) and
 * {@code HUIBO_RING_TIMEOUT} (seconds), then the session closes. On any problem it sets no
 * {@code HUIBO_DIAL}, only {@code HUIBO_ERROR} (a short reason token), and the dialplan hangs up with
 * cause 38.
 *
 * <p>The attempt check: the dispatcher records attempt N as started (callback.attempts() == N)
 * before it sends the Originate, so a request for any other attempt is a leftover of an earlier
 * attempt (a late Local channel, a replayed Originate) and must not dial anyone.
 */
public final class RouteScript implements AgiScript {

    private static final Logger LOG = LoggerFactory.getLogger(RouteScript.class);

    public static final String NAME = "route";
    public static final String VAR_DIAL = "HUIBO_DIAL";
    public static final String VAR_RING_TIMEOUT = "HUIBO_RING_TIMEOUT";
    public static final String VAR_ERROR = "HUIBO_ERROR";
    /** Every variable this script may set, for the dialplan consistency test and docs. */
    public static final List<String> VARIABLES = List.of(VAR_DIAL, VAR_RING_TIMEOUT, VAR_ERROR);

    /** What one request came to; the wire form is what HUIBO_ERROR says. */
    public enum Decision {
        ROUTED("routed"),
        BAD_LEG("bad-leg"),
        BAD_CALLBACK_ID("bad-callback-id"),
        BAD_ATTEMPT("bad-attempt"),
        UNKNOWN_CALLBACK("unknown-callback"),
        CALLBACK_FINISHED("callback-finished"),
        ATTEMPT_MISMATCH("attempt-mismatch"),
        NO_ROUTE("no-route"),
        LOOKUP_FAILED("lookup-failed");

        private final String wire;

        Decision(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    private final CallbackLookup lookup;
    private final Router router;
    private final String ringTimeoutSeconds;
    private final Map<Decision, LongAdder> counts = new EnumMap<>(Decision.class);

    /** @param ringTimeoutSeconds how long Dial() rings each leg (HUIBO_RING_TIMEOUT), at least 1 */
    public RouteScript(Router router, CallbackLookup lookup, int ringTimeoutSeconds) {
        this.lookup = Objects.requireNonNull(lookup, "lookup");
        this.router = Objects.requireNonNull(router, "router");
        int s = ringTimeoutSeconds;
        if (s < 1) {
            throw new IllegalArgumentException("ring timeout must be at least 1 second");
        }
        this.ringTimeoutSeconds = Integer.toString(s);
        for (Decision d : Decision.values()) {
            counts.put(d, new LongAdder());
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    /** How many requests ended with this decision since start. */
    public long count(Decision d) {
        return counts.get(d).sum();
    }

    /** Every decision since start. */
    public long decisions() {
        long n = 0;
        for (LongAdder a : counts.values()) {
            n += a.sum();
        }
        return n;
    }

    @Override
    public Future<Void> run(AgiSession session) {
        AgiRequest req = session.request();
        Leg leg = leg(req.param("leg"));
        if (leg == null) {
            return refuse(session, Decision.BAD_LEG, req);
        }
        String id = req.arg(1);
        if (!CallbackIds.isValid(id)) {
            return refuse(session, Decision.BAD_CALLBACK_ID, req);
        }
        int attempt = attempt(req.arg(2));
        if (attempt < 1) {
            return refuse(session, Decision.BAD_ATTEMPT, req);
        }
        Future<Optional<Callback>> found;
        try {
            found = lookup.find(id);
        } catch (RuntimeException e) {
            found = Future.failedFuture(e);
        }
        return found.transform(ar -> {
            if (ar.failed()) {
                LOG.warn("route: lookup of callback {} failed: {}", id, ar.cause().toString());
                return refuse(session, Decision.LOOKUP_FAILED, req);
            }
            Optional<Callback> cb = ar.result();
            if (cb == null || cb.isEmpty()) {
                return refuse(session, Decision.UNKNOWN_CALLBACK, req);
            }
            return decide(session, req, leg, attempt, cb.get());
        });
    }

    private Future<Void> decide(AgiSession session, AgiRequest req, Leg leg, int attempt, Callback cb) {
        CallState st = cb.state();
        if (st.isFinal()) {
            return refuse(session, Decision.CALLBACK_FINISHED, req);
        }
        if (cb.attempts() != attempt) {
            LOG.info("route: callback {} leg {} asked for attempt {} but attempt {} is current", cb.id(),
                    leg.wire(), attempt, cb.attempts());
            return refuse(session, Decision.ATTEMPT_MISMATCH, req);
        }
        List<DialString> route;
        try {
            route = router.route(leg, cb);
        } catch (RuntimeException e) {
            LOG.warn("route: router failed for callback {} leg {}: {}", cb.id(), leg.wire(), e.toString());
            route = List.of();
        }
        if (route == null || route.isEmpty()) {
            return refuse(session, Decision.NO_ROUTE, req);
        }
        counts.get(Decision.ROUTED).increment();
        LOG.debug("route: callback {} attempt {} leg {} -> {}", cb.id(), attempt, leg.wire(), route.get(0));
        return session.setVariable(VAR_DIAL, route.get(0).value())
                .compose(v -> session.setVariable(VAR_RING_TIMEOUT, ringTimeoutSeconds));
    }

    private Future<Void> refuse(AgiSession session, Decision d, AgiRequest req) {
        counts.get(d).increment();
        if (d != Decision.LOOKUP_FAILED && d != Decision.ATTEMPT_MISMATCH) {
            LOG.info("route: {} (channel {}, script query {}, args {})", d.wire(),
                    AgiCommands.printable(req.channel()), req.query(), printableArgs(req));
        }
        return session.setVariable(VAR_ERROR, d.wire());
    }

    private static String printableArgs(AgiRequest req) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < req.args().size() && i < 4; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(AgiCommands.printable(req.args().get(i)));
        }
        return sb.append(']').toString();
    }

    private static Leg leg(String s) {
        if (s == null || s.length() != 1) {
            return null;
        }
        return switch (s.charAt(0)) {
            case 'a', 'A' -> Leg.A;
            case 'b', 'B' -> Leg.B;
            default -> null;
        };
    }

    /** Strict decimal 1..999; -1 for anything else (no exceptions on the hot path). */
    static int attempt(String s) {
        if (s == null || s.isEmpty() || s.length() > 3) {
            return -1;
        }
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n >= 1 ? n : -1;
    }
}
