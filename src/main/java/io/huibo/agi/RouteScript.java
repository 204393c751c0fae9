package io.huibo.agi;

import io.huibo.logging.CallMdc;
import io.huibo.domain.CallState;
import io.huibo.domain.CallerPresentation;
import io.huibo.domain.Callback;
import io.huibo.domain.CallbackIds;
import io.huibo.domain.Leg;
import io.huibo.domain.PhoneNumber;
import io.huibo.routing.RouteChoice;
import io.huibo.routing.RouteQuery;
import io.huibo.routing.Routes;
import io.huibo.service.DialinDigits;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.ArrayList;
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
 * {@code AGI(agi://${HUIBO_AGI}/route?leg=a,${HUIBO_CALLBACK},${HUIBO_ATTEMPT})}, and for a
 * destination the caller keyed in:
 * {@code AGI(agi://${HUIBO_AGI}/route?leg=b&collected=1,${HUIBO_CALLBACK},${HUIBO_ATTEMPT},${HUIBO_DEST})}.
 *
 * <p>Routed: {@code HUIBO_DIAL_1} .. {@code HUIBO_DIAL_<n>} (failover order), the caller identity the
 * leg is shown ({@code HUIBO_CID}, {@code HUIBO_CIDNAME}, see {@link CallerPresentation}; only when
 * there is one: unset, the dialplan sets it empty all the same), {@code HUIBO_DIAL_COUNT} and
 * {@code HUIBO_RING_TIMEOUT}. Leg B of a callback without destination: only
 * {@code HUIBO_COLLECT=1}, the dialplan reads the digits and asks again with {@code collected=1}.
 * Any problem: only {@code HUIBO_ERROR} (a reason token); the dialplan hangs up with cause 38.
 *
 * <p>Which number a leg dials follows the callback's flow ({@link Callback#numberFor}): agent-first
 * dials the destination on leg A. Keyed-in digits are accepted only as 2-20 plain digits and stored
 * only if the callback still has no destination, so a replayed request cannot redirect a callback.
 *
 * <p>The attempt check: the dispatcher records attempt N as started (callback.attempts() == N)
 * before it sends the Originate, so a request for any other attempt is a leftover of an earlier
 * attempt (a late Local channel, a replayed Originate) and must not dial anyone.
 */
public final class RouteScript implements AgiScript {

    private static final Logger LOG = LoggerFactory.getLogger(RouteScript.class);

    public static final String NAME = "route";
    public static final String VAR_DIAL_PREFIX = "HUIBO_DIAL_";
    public static final String VAR_DIAL_COUNT = "HUIBO_DIAL_COUNT";
    public static final String VAR_RING_TIMEOUT = "HUIBO_RING_TIMEOUT";
    public static final String VAR_COLLECT = "HUIBO_COLLECT";
    public static final String VAR_ERROR = "HUIBO_ERROR";
    /** Caller number and name the dialplan presents on the leg (Set(CALLERID(num)=...) before its Dial). */
    public static final String VAR_CID = "HUIBO_CID";
    public static final String VAR_CID_NAME = "HUIBO_CIDNAME";
    /** More routes than this would only prolong a failing call; the dialplan tries them one by one. */
    public static final int MAX_ROUTES = 9;
    /** Every variable this script may set ({@code HUIBO_DIAL_<n>} as {@code HUIBO_DIAL_1}), for the dialplan test. */
    public static final List<String> VARIABLES = List.of(VAR_DIAL_PREFIX + "1", VAR_CID, VAR_CID_NAME,
            VAR_DIAL_COUNT, VAR_RING_TIMEOUT, VAR_COLLECT, VAR_ERROR);

    /** What one request came to; the wire form is what HUIBO_ERROR says. */
    public enum Decision {
        ROUTED("routed"),
        COLLECT("collect"),
        BAD_LEG("bad-leg"),
        BAD_CALLBACK_ID("bad-callback-id"),
        BAD_ATTEMPT("bad-attempt"),
        BAD_DESTINATION("bad-destination"),
        UNKNOWN_CALLBACK("unknown-callback"),
        CALLBACK_FINISHED("callback-finished"),
        ATTEMPT_MISMATCH("attempt-mismatch"),
        NO_DESTINATION("no-destination"),
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

    private final Routes routes;
    private final CallbackLookup lookup;
    private final CallbackDestinations destinations;
    private final RouteHandouts handouts;
    private final String ringTimeoutSeconds;
    private final CallerPresentation presentation;
    private final Clock clock;
    private final Map<Decision, LongAdder> counts = new EnumMap<>(Decision.class);

    /** Without a configured business identity ({@link CallerPresentation#none()}). */
    public RouteScript(Routes routes, CallbackLookup lookup, CallbackDestinations destinations, RouteHandouts handouts,
                       int ringTimeoutSeconds, Clock clock) {
        this(routes, lookup, destinations, handouts, ringTimeoutSeconds, CallerPresentation.none(), clock);
    }

    /**
     * @param ringTimeoutSeconds how long Dial() rings each leg (HUIBO_RING_TIMEOUT), at least 1
     * @param presentation       whom each leg sees calling
     */
    public RouteScript(Routes routes, CallbackLookup lookup, CallbackDestinations destinations, RouteHandouts handouts,
                       int ringTimeoutSeconds, CallerPresentation presentation, Clock clock) {
        this.presentation = Objects.requireNonNull(presentation, "presentation");
        this.routes = Objects.requireNonNull(routes, "routes");
        this.lookup = Objects.requireNonNull(lookup, "lookup");
        this.destinations = Objects.requireNonNull(destinations, "destinations");
        this.handouts = Objects.requireNonNull(handouts, "handouts");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (ringTimeoutSeconds < 1) {
            throw new IllegalArgumentException("ring timeout must be at least 1 second");
        }
        this.ringTimeoutSeconds = Integer.toString(ringTimeoutSeconds);
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
        boolean collected = "1".equals(req.param("collected"));
        if (collected && leg != Leg.B) {
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
        PhoneNumber keyed = null;
        if (collected) {
            keyed = DialinDigits.number(req.arg(3));
            if (keyed == null) {
                return refuse(session, Decision.BAD_DESTINATION, req);
            }
        }
        PhoneNumber keyedIn = keyed;
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
            return decide(session, req, leg, attempt, cb.get(), keyedIn);
        });
    }

    private Future<Void> decide(AgiSession session, AgiRequest req, Leg leg, int attempt, Callback cb,
                                PhoneNumber keyed) {
        CallState st = cb.state();
        if (st.isFinal()) {
            return refuse(session, Decision.CALLBACK_FINISHED, req);
        }
        if (cb.attempts() != attempt) {
            CallMdc.log(cb.id(), attempt, null, null, () -> LOG.info(
                    "route: callback {} leg {} asked for attempt {} but attempt {} is current", cb.id(),
                    leg.wire(), attempt, cb.attempts()));
            return refuse(session, Decision.ATTEMPT_MISMATCH, req);
        }
        PhoneNumber number = cb.numberFor(leg);
        if (number != null) {
            return route(session, req, leg, attempt, cb, number);
        }
        if (leg == Leg.A) {
            // agent-first without a destination: nobody to call first, and no one to key digits in
            return refuse(session, Decision.NO_DESTINATION, req);
        }
        if (keyed == null) {
            counts.get(Decision.COLLECT).increment();
            return session.setVariable(VAR_COLLECT, "1");
        }
        Future<Optional<PhoneNumber>> stored;
        try {
            stored = destinations.setIfAbsent(cb.id(), keyed);
        } catch (RuntimeException e) {
            stored = Future.failedFuture(e);
        }
        return stored.transform(ar -> {
            if (ar.failed() || ar.result() == null || ar.result().isEmpty()) {
                LOG.warn("route: storing the keyed-in destination of callback {} failed: {}", cb.id(),
                        ar.failed() ? ar.cause().toString() : "callback gone");
                return refuse(session, Decision.LOOKUP_FAILED, req);
            }
            PhoneNumber dest = ar.result().get();
            if (!dest.equals(keyed)) {
                LOG.info("route: callback {} already had a destination; the digits keyed in are ignored", cb.id());
            }
            return route(session, req, leg, attempt, cb, dest);
        });
    }

    private Future<Void> route(AgiSession session, AgiRequest req, Leg leg, int attempt, Callback cb, PhoneNumber number) {
        String id = cb.id();
        Future<List<RouteChoice>> chosen;
        try {
            chosen = routes.choose(new RouteQuery(id, attempt, leg, number, clock.instant()));
        } catch (RuntimeException e) {
            chosen = Future.failedFuture(e);
        }
        return chosen.transform(ar -> {
            List<RouteChoice> route = ar.succeeded() && ar.result() != null ? ar.result() : List.of();
            if (ar.failed()) {
                CallMdc.log(id, null, null, null, () -> LOG.warn("route: routing failed for callback {} leg {}: {}",
                        id, leg.wire(), ar.cause().toString()));
            }
            if (route.isEmpty()) {
                return refuse(session, Decision.NO_ROUTE, req);
            }
            List<RouteChoice> used = route.size() > MAX_ROUTES ? List.copyOf(route.subList(0, MAX_ROUTES)) : route;
            handouts.remember(id, attempt, leg, used);
            counts.get(Decision.ROUTED).increment();
            LOG.debug("route: callback {} attempt {} leg {} -> {}", id, attempt, leg.wire(), used);
            CallerPresentation.Identity shown = presentation.forLeg(cb, leg);
            List<String[]> vars = new ArrayList<>(used.size() + 4);
            for (int i = 0; i < used.size(); i++) {
                vars.add(new String[] {VAR_DIAL_PREFIX + (i + 1), used.get(i).dial().value()});
            }
            if (!shown.number().isEmpty()) {
                vars.add(new String[] {VAR_CID, shown.number()});
            }
            if (!shown.name().isEmpty()) {
                vars.add(new String[] {VAR_CID_NAME, shown.name()});
            }
            vars.add(new String[] {VAR_DIAL_COUNT, Integer.toString(used.size())});
            vars.add(new String[] {VAR_RING_TIMEOUT, ringTimeoutSeconds});
            return setAll(session, vars, 0);
        });
    }

    static Future<Void> setAll(AgiSession session, List<String[]> vars, int from) {
        if (from == vars.size()) {
            return Future.succeededFuture();
        }
        String[] v = vars.get(from);
        return session.setVariable(v[0], v[1]).compose(x -> setAll(session, vars, from + 1));
    }

    private Future<Void> refuse(AgiSession session, Decision d, AgiRequest req) {
        counts.get(d).increment();
        if (d != Decision.LOOKUP_FAILED && d != Decision.ATTEMPT_MISMATCH) {
            LOG.info("route: {} (channel {}, script query {}, args {})", d.wire(),
                    AgiCommands.printable(req.channel()), req.query(), printableArgs(req));
        }
        return session.setVariable(VAR_ERROR, d.wire());
    }

    static String printableArgs(AgiRequest req) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < req.args().size() && i < 4; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(AgiCommands.printable(req.args().get(i)));
        }
        return sb.append(']').toString();
    }

    static Leg leg(String s) {
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
