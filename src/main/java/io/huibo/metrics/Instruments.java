package io.huibo.metrics;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.huibo.agi.AgiScript;
import io.huibo.agi.AgiScripts;
import io.huibo.agi.AgiSession;
import io.huibo.agi.FastAgiServer;
import io.huibo.agi.RouteHandouts;
import io.huibo.agi.RouteTryLog;
import io.huibo.domain.Leg;
import io.huibo.pbx.AttemptResult;
import io.huibo.routing.RouteChoice;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import java.time.Duration;

import java.util.Locale;
import java.util.function.ToDoubleFunction;
import javax.sql.DataSource;

/**
 * Meters put around components from outside (decorators and function gauges), so the components
 * themselves need no change: FastAGI scripts and sessions, route tries, attempt ends, the pool.
 */
public final class Instruments {
    private Instruments() {
    }

    /** The same scripts, each run timed ({@code huibo_agi_decision}). */
    public static AgiScripts timed(AgiScripts scripts, Metrics metrics) {
        return new AgiScripts(scripts.names().stream().map(n -> timed(scripts.find(n), metrics)).toList());
    }

    private static AgiScript timed(AgiScript s, Metrics metrics) {
        return new AgiScript() {
            @Override
            public String name() {
                return s.name();
            }

            @Override
            public Future<Void> run(AgiSession session) {
                long t0 = System.nanoTime();
                Future<Void> f;
                try {
                    f = s.run(session);
                } catch (RuntimeException e) {
                    metrics.agiDecision(s.name(), "error", System.nanoTime() - t0);
                    throw e;
                }
                if (f == null) {
                    return null;
                }
                return f.andThen(ar -> metrics.agiDecision(s.name(), ar.succeeded() ? "ok" : "error",
                        System.nanoTime() - t0));
            }
        };
    }

    /** The FastAGI server's own counters as meters. */
    public static void agiServer(FastAgiServer agi, Metrics metrics) {
        MeterRegistry r = metrics.registry();
        Gauge.builder("huibo_agi_sessions_open", agi, FastAgiServer::activeSessions)
                .description("FastAGI sessions open now").register(r);
        counter(r, "huibo_agi_sessions", "FastAGI connections accepted", agi, FastAgiServer::accepted);
        counter(r, "huibo_agi_refused", "FastAGI connections refused by agi.allow", agi, FastAgiServer::refused);
        counter(r, "huibo_agi_protocol_errors", "FastAGI sessions closed on a protocol error", agi,
                FastAgiServer::protocolErrors);
    }

    /** The dial-in guards' refusals (see DialinService). */
    public static void dialin(io.huibo.service.DialinService dialin, Metrics metrics) {
        MeterRegistry r = metrics.registry();
        counter(r, "huibo_dialin_lockouts", "dial-in callers locked out after too many wrong PINs", dialin,
                io.huibo.service.DialinService::lockouts);
        counter(r, "huibo_dialin_refused_access", "dial-ins to a number that is not an access number", dialin,
                io.huibo.service.DialinService::refusedAccess);
    }

    private static <T> void counter(MeterRegistry r, String name, String help, T obj, ToDoubleFunction<T> f) {
        FunctionCounter.builder(name, obj, f).description(help).register(r);
    }

    /** HikariCP's pool state, read from its MXBean at each scrape (no round trip to MariaDB). */
    public static void pool(DataSource ds, Metrics metrics) {
        if (!(ds instanceof HikariDataSource h)) {
            return;
        }
        MeterRegistry r = metrics.registry();
        String pool = h.getPoolName() == null ? "huibo" : h.getPoolName();
        poolGauge(r, "hikaricp_connections_active", "Connections in use", h, pool, HikariPoolMXBean::getActiveConnections);
        poolGauge(r, "hikaricp_connections_idle", "Idle connections", h, pool, HikariPoolMXBean::getIdleConnections);
        poolGauge(r, "hikaricp_connections", "Connections in the pool", h, pool, HikariPoolMXBean::getTotalConnections);
        poolGauge(r, "hikaricp_connections_pending", "Threads waiting for a connection", h, pool,
                HikariPoolMXBean::getThreadsAwaitingConnection);
        Gauge.builder("hikaricp_connections_max", h, HikariDataSource::getMaximumPoolSize)
                .description("Largest pool size").tag("pool", pool).register(r);
    }

    private static void poolGauge(MeterRegistry r, String name, String help, HikariDataSource h, String pool,
                                  ToDoubleFunction<HikariPoolMXBean> f) {
        Gauge.builder(name, h, ds -> {
            HikariPoolMXBean mx = ds.getHikariPoolMXBean();
            return mx == null ? Double.NaN : f.applyAsDouble(mx);
        }).description(help).tag("pool", pool).register(r);
    }

    /** The same log, each try counted by trunk and DIALSTATUS ({@code huibo_trunk_tries}). */
    public static RouteTryLog counted(RouteTryLog log, Metrics metrics) {
        return t -> {
            metrics.routeTry(t.trunkId(), t.leg().name().toLowerCase(Locale.ROOT), t.dialStatus());
            return log.record(t);
        };
    }

    /**
     * For the dispatcher's attempt-ended handlers: the outcome by node and cause, and for a connected
     * call its length on the trunk leg B was answered on. Call it before the handouts are forgotten.
     */
    public static Handler<AttemptResult> attemptEnded(Metrics metrics, RouteHandouts handouts) {
        return r -> {
            metrics.attemptEnded(r);
            if (r.outcome() != null && r.outcome().isSuccess() && r.endedAt() != null) {
                String trunk = handouts.answeredTry(r.callbackId(), r.attempt(), Leg.B)
                        .flatMap(n -> handouts.get(r.callbackId(), r.attempt(), Leg.B)
                                .filter(l -> n >= 1 && n <= l.size()).map(l -> l.get(n - 1)))
                        .map(RouteChoice::trunkId).orElse(null);
                // talk time: from leg A's answer when B's own is not known
                Duration talked = r.answeredAt() == null ? Duration.ZERO : Duration.between(r.answeredAt(), r.endedAt());
                metrics.callLength(trunk, talked);
            }
        };
    }

}
