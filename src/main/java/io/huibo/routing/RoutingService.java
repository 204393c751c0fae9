package io.huibo.routing;

import io.huibo.config.ConfigException;
import io.huibo.config.HuiboConfig;
import io.huibo.domain.Leg;
import io.huibo.domain.PhoneNumber;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing the dialplan asks for: the leg's route table (config {@code routing.tableA} /
 * {@code routing.tableB}), its routes that fit the number and leg, run through the table's strategy
 * chain, each trunk once, trunks at their limits skipped, at most {@code maxChoices} of them, each
 * with a slot taken in the {@link TrunkLimiter} (so a failover never lands on a full trunk). The
 * slot of a try goes back when the dialplan reports the try, the rest when the attempt ends.
 *
 * <p>The tables live in memory and are swapped whole when the version in the database changes
 * (polled every {@code routing.reloadInterval}), so every instance follows an import within
 * seconds. While the database holds no route at all, the static templates of the config
 * ({@code routing.legA}, {@code routing.legB}) answer through {@link StaticRoutes}, without limits.
 */
public final class RoutingService implements Routes {

    private static final Logger LOG = LoggerFactory.getLogger(RoutingService.class);

    private final RoutingSource source;
    private final TrunkLimiter limiter;
    private final Clock clock;
    private final StaticRoutes fallback;
    private final String tableA;
    private final String tableB;
    private final int maxChoices;
    private final Duration reloadInterval;
    private final TrunkAllowlist allowlist;

    private volatile RoutingSnapshot snapshot = new RoutingSnapshot(
            new RoutingData(-1, List.of(), List.of(), List.of(), List.of()));
    private final Map<String, Map<String, LongAdder>> failures = new ConcurrentHashMap<>();
    private volatile boolean polling;
    private volatile String lastPollError;

    /** Without a trunk allowlist ({@link TrunkAllowlist#ANY}): unit tests of routing only. */
    public RoutingService(RoutingSource source, HuiboConfig.Routing cfg, TrunkLimiter limiter, Clock clock) {
        this(source, cfg, TrunkAllowlist.ANY, limiter, clock);
    }

    /**
     * @param allowlist trunks whose dial template it refuses are skipped at every load
     * @throws ConfigException for a bad static template or table name, naming the key
     */
    public RoutingService(RoutingSource source, HuiboConfig.Routing cfg, TrunkAllowlist allowlist, TrunkLimiter limiter,
                          Clock clock) {
        this.allowlist = Objects.requireNonNull(allowlist, "allowlist");
        this.source = Objects.requireNonNull(source, "source");
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.fallback = StaticRoutes.fromConfig(cfg);
        this.tableA = table("routing.tableA", cfg.tableA());
        this.tableB = table("routing.tableB", cfg.tableB());
        if (cfg.maxChoices() < 1) {
            throw new ConfigException("routing.maxChoices must be at least 1");
        }
        this.maxChoices = cfg.maxChoices();
        this.reloadInterval = cfg.reloadInterval();
    }

    private static String table(String key, String name) {
        if (!Trunk.validId(name)) {
            throw new ConfigException(key + " must be 1-64 of letters, digits, _ . -: " + name);
        }
        return name;
    }

    // ---------------------------------------------------------------- lifecycle

    /** The periodic version check; -1 while not started. */
    private volatile long pollTimer = -1;

    /** Loads the tables (the start waits for it), then follows their version. */
    public Future<Void> start(Vertx vertx) {
        return reloadNow().onSuccess(v -> pollTimer = vertx.setPeriodic(Math.max(100, reloadInterval.toMillis()), id -> poll()));
    }

    /** Stops following the tables' version; what is loaded keeps answering. */
    public void stop(Vertx vertx) {
        long t = pollTimer;
        if (t >= 0) {
            vertx.cancelTimer(t);
            pollTimer = -1;
        }
    }

    /** Loads the tables now, whatever their version (after an import on this instance). */
    public Future<Void> reloadNow() {
        return source.load().map(data -> {
            install(data);
            return null;
        });
    }

    /** Reloads when the version moved; true if it did. */
    public Future<Boolean> reloadIfChanged() {
        return source.version().compose(v -> v == snapshot.version()
                ? Future.succeededFuture(false)
                : source.load().map(data -> {
                    install(data);
                    return true;
                }));
    }

    private void poll() {
        if (polling) {
            return;
        }
        polling = true;
        reloadIfChanged().onComplete(ar -> {
            polling = false;
            if (ar.failed()) {
                String msg = String.valueOf(ar.cause().getMessage());
                if (!msg.equals(lastPollError)) {
                    LOG.warn("routing tables could not be reloaded; routing as before: {}", msg);
                }
                lastPollError = msg;
            } else {
                lastPollError = null;
            }
        });
    }

    /** Package-visible for tests. Never goes back to an older version (a slow poll racing an import). */
    synchronized void install(RoutingData data) {
        RoutingSnapshot current = snapshot;
        if (data.version() < current.version()) {
            return;
        }
        data = allowed(data);
        snapshot = new RoutingSnapshot(data);
        LOG.info("routing tables version {}: {} trunks, {} routes, {} rates{}", data.version(), data.trunks().size(),
                data.routes().size(), data.rates().size(), data.routes().isEmpty() ? " (static routes from config)" : "");
    }

    /**
     * The data without the trunks the allowlist refuses: rows stored before the policy changed (or
     * written by hand) are not used. Routes naming them then find no trunk, like a removed one.
     */
    private RoutingData allowed(RoutingData data) {
        List<Trunk> kept = new ArrayList<>(data.trunks().size());
        for (Trunk t : data.trunks()) {
            try {
                allowlist.check(t.dial());
                kept.add(t);
            } catch (IllegalArgumentException e) {
                LOG.warn("routing: not using trunk '{}' ({}): {}", t.id(), t.dial(), e.getMessage());
            }
        }
        return kept.size() == data.trunks().size() ? data
                : new RoutingData(data.version(), kept, data.routes(), data.rates(), data.tables());
    }

    /** What trunk dial templates may point at; imports are checked against it. */
    public TrunkAllowlist allowlist() {
        return allowlist;
    }

    /** The version of the tables in use; -1 before the first load. */
    public long version() {
        return snapshot.version();
    }

    /** True while the database holds no route and the config templates answer. */
    public boolean usingStaticRoutes() {
        return snapshot.noRoutes();
    }

    // ---------------------------------------------------------------- Routes

    @Override
    public Future<List<RouteChoice>> choose(RouteQuery query) {
        try {
            RoutingSnapshot s = snapshot;
            Instant now = query.at() != null ? query.at() : clock.instant();
            if (s.noRoutes()) {
                return fallback.choose(query);
            }
            List<Trunk> ordered = order(s, query, now);
            List<RouteChoice> out = new ArrayList<>(Math.min(maxChoices, ordered.size()));
            return take(ordered, 0, out, query, now);
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    /** The trunks to try, best first, before limits. */
    List<Trunk> order(RoutingSnapshot s, RouteQuery query, Instant now) {
        String table = query.leg() == Leg.A ? tableA : tableB;
        List<Route> routes = s.routesByTable.get(table);
        if (routes == null) {
            return List.of();
        }
        String digits = digits(query.number());
        List<RouteStrategy.Candidate> candidates = new ArrayList<>(routes.size());
        for (Route r : routes) {
            if (r.leg() != null && r.leg() != query.leg()) {
                continue;
            }
            if (!digits.startsWith(r.prefix())) {
                continue;
            }
            Trunk t = s.trunks.get(r.trunkId());
            if (t != null && t.enabled()) {
                candidates.add(new RouteStrategy.Candidate(r, t));
            }
        }
        RouteStrategy.Context ctx = new RouteStrategy.Context(query.leg(), digits, now, s.rates);
        for (RouteStrategy strategy : s.chains.get(table)) {
            if (candidates.isEmpty()) {
                break;
            }
            candidates = strategy.apply(candidates, ctx);
        }
        LinkedHashMap<String, Trunk> trunks = new LinkedHashMap<>();
        for (RouteStrategy.Candidate c : candidates) {
            trunks.putIfAbsent(c.trunk().id(), c.trunk());
        }
        return List.copyOf(trunks.values());
    }

    private Future<List<RouteChoice>> take(List<Trunk> trunks, int i, List<RouteChoice> out, RouteQuery q,
                                           Instant now) {
        // iterative while the limiter answers at once (in memory), so a long list does not nest
        while (i < trunks.size() && out.size() < maxChoices) {
            Trunk t = trunks.get(i);
            Future<Boolean> got = limiter.tryAcquire(t, q.callbackId(), q.attempt(), now);
            if (!got.isComplete()) {
                int next = i + 1;
                return got.compose(ok -> {
                    if (ok) {
                        out.add(new RouteChoice(t.id(), t.dial().expand(q.number())));
                    }
                    return take(trunks, next, out, q, now);
                });
            }
            if (got.failed()) {
                return Future.failedFuture(got.cause());
            }
            if (got.result()) {
                out.add(new RouteChoice(t.id(), t.dial().expand(q.number())));
            }
            i++;
        }
        return Future.succeededFuture(List.copyOf(out));
    }

    @Override
    public void report(String callbackId, int attempt, String trunkId, String dialStatus) {
        if (trunkId == null || !(Trunk.validId(trunkId))) {
            return;
        }
        // the try on this trunk is over, whatever its outcome
        limiter.releaseOne(trunkId, callbackId, attempt);
        String status = status(dialStatus);
        if (status.equals("ANSWER")) {
            return;
        }
        // only trunks we know: the map must not grow with whatever a peer sends
        if (!snapshot.trunks.containsKey(trunkId)) {
            return;
        }
        failures.computeIfAbsent(trunkId, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(status, k -> new LongAdder()).increment();
    }

    @Override
    public void release(String callbackId, int attempt) {
        limiter.release(callbackId, attempt);
    }

    /** Reported failures per trunk and DIALSTATUS since start. */
    public Map<String, Map<String, Long>> failures() {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        failures.forEach((trunk, byStatus) -> {
            Map<String, Long> m = new TreeMap<>();
            byStatus.forEach((st, n) -> m.put(st, n.sum()));
            out.put(trunk, m);
        });
        return out;
    }

    /** DIALSTATUS values are a handful of upper-case words; anything else is counted as OTHER. */
    static String status(String s) {
        if (s == null || s.isEmpty() || s.length() > 16) {
            return "OTHER";
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 'A' || c > 'Z') {
                return "OTHER";
            }
        }
        return s;
    }

    static String digits(PhoneNumber n) {
        String v = n.value();
        return v.startsWith("+") ? v.substring(1) : v;
    }
}
