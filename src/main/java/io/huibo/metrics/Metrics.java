package io.huibo.metrics;

import io.huibo.pbx.AttemptResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one Huibo instance (docs/metrics.md lists every name and label). Components get it
 * by constructor and call its methods; none of them sees Micrometer. Labels hold only bounded values
 * (node and trunk ids from the configuration, outcome and status words, Q.850 cause numbers): never a
 * callback id or a phone number.
 */
public final class Metrics {
    private static final Metrics NONE = new Metrics(new CompositeMeterRegistry(), null);

    private final MeterRegistry registry;
    private final PrometheusMeterRegistry prometheus;

    private Metrics(MeterRegistry registry, PrometheusMeterRegistry prometheus) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.prometheus = prometheus;
    }

    /** A Prometheus registry of its own, with the JVM's meters bound. */
    public static Metrics prometheus() {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(r);
        new JvmGcMetrics().bindTo(r);
        new JvmThreadMetrics().bindTo(r);
        new ClassLoaderMetrics().bindTo(r);
        new ProcessorMetrics().bindTo(r);
        new UptimeMetrics().bindTo(r);
        Metrics m = new Metrics(r, r);
        // shown at 0 from the start: a pause or a reconnect is rare, and a missing series is not a zero
        for (String reason : PAUSE_REASONS) {
            m.pauses(reason);
        }
        return m;
    }

    /** Records nothing: for components built without metrics (tests, tools). */
    public static Metrics none() {
        return NONE;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition; empty for {@link #none()}. */
    public String scrape() {
        return prometheus == null ? "" : prometheus.scrape();
    }

    // ------------------------------------------------------------------ dispatch

    /** Callbacks one claim took from the queue (0 counts nothing). */
    public void claimed(int n) {
        if (n > 0) {
            Counter.builder("huibo_claims").description("Callbacks claimed from the queue by this instance")
                    .register(registry).increment(n);
        }
    }

    /** An Originate was answered ({@code result} sent), refused or never sent. */
    public void originate(String node, String result) {
        Counter.builder("huibo_originates").description("Originate actions by node and result")
                .tag("node", node).tag("result", result).register(registry).increment();
    }

    /** How late an attempt's Originate went out after its callback was due. */
    public void dueToOriginate(Duration lag) {
        Timer.builder("huibo_due_to_originate").description("Time from a callback's due time to its Originate")
                .publishPercentileHistogram().register(registry)
                .record(lag.isNegative() ? Duration.ZERO : lag);
    }

    private static final java.util.List<String> PAUSE_REASONS = java.util.List.of("loop_lag", "ami_event_lag",
            "agi_backlog", "other");

    /** Dispatch found itself behind (a pause started); {@code reason} as logged, labelled by {@link #pauseReason}. */
    public void dispatchPaused(String reason) {
        pauses(pauseReason(reason)).increment();
    }

    private Counter pauses(String label) {
        return Counter.builder("huibo_dispatch_pauses").description("Times dispatch paused, by reason")
                .tag("reason", label).register(registry);
    }

    /** The short label of a pause's logged reason: loop_lag, ami_event_lag, agi_backlog or other. */
    static String pauseReason(String logged) {
        String s = logged.toLowerCase(Locale.ROOT);
        if (s.contains("fastagi")) {
            return "agi_backlog";
        }
        if (s.contains("ami")) {
            return "ami_event_lag";
        }
        if (s.contains("event loop")) {
            return "loop_lag";
        }
        return "other";
    }

    /** An attempt ended on a node: its outcome, failed leg and hangup cause, and its talk time if answered. */
    public void attemptEnded(AttemptResult r) {
        Counter.builder("huibo_attempt_outcomes").description("Ended attempts by node, outcome, failed leg and cause")
                .tag("node", String.valueOf(r.nodeId()))
                .tag("outcome", r.outcome() == null ? "unknown" : r.outcome().wire())
                .tag("leg", r.failedLeg() == null ? "none" : r.failedLeg().name().toLowerCase(Locale.ROOT))
                .tag("cause", cause(r.hangupCause()))
                .register(registry).increment();
    }

    /** A route try on a trunk ended with {@code dialStatus} (ANSWER, BUSY, NOANSWER, CONGESTION, ...). */
    public void routeTry(String trunk, String leg, String dialStatus) {
        Counter.builder("huibo_trunk_tries").description("Route tries by trunk, leg and DIALSTATUS")
                .tag("trunk", trunk == null ? "none" : trunk).tag("leg", leg)
                .tag("status", dialStatus == null || dialStatus.length() > 16 ? "other" : dialStatus)
                .register(registry).increment();
    }

    /** A connected call ended: how long leg B talked on {@code trunk}. */
    public void callLength(String trunk, Duration talked) {
        Timer.builder("huibo_call_length").description("Length of connected calls by trunk of leg B")
                .tag("trunk", trunk == null ? "none" : trunk)
                .register(registry).record(talked.isNegative() ? Duration.ZERO : talked);
    }

    /** Q.850 causes are 0-127; anything else is "other", a missing one "none". */
    static String cause(Integer c) {
        if (c == null) {
            return "none";
        }
        return c >= 0 && c <= 127 ? Integer.toString(c) : "other";
    }

    // ------------------------------------------------------------------ toll-fraud guards

    /** A toll-fraud guard refused a request or held back an attempt: the alert metric. */
    public void guardTripped(String guard) {
        guardCounter(guard).increment();
    }

    /** The guard's series shows from 0, so an alert on its increase sees the first trip. */
    public void guardRegistered(String guard) {
        guardCounter(guard);
    }

    private Counter guardCounter(String guard) {
        return Counter.builder("huibo_guard_tripped").description("Toll-fraud guard trips, by guard")
                .tag("guard", guard).register(registry);
    }

    // ------------------------------------------------------------------ AMI

    /** A node's AMI session was lost or a login failed, and a reconnect is scheduled. */
    public void amiReconnect(String node) {
        reconnects(node).increment();
    }

    /** A node is driven from here: its reconnect count shows from 0. */
    public void amiNode(String node) {
        reconnects(node);
    }

    private Counter reconnects(String node) {
        return Counter.builder("huibo_ami_reconnects").description("AMI reconnects scheduled, by node")
                .tag("node", node).register(registry);
    }

    /** One AMI action's round trip ({@code result}: ok, timeout, disconnected, not_sent). */
    public void amiAction(String node, String action, String result, long nanos) {
        Timer.builder("huibo_ami_action").description("AMI action latency by node, action and result")
                .tag("node", node).tag("action", action).tag("result", result)
                .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** How long a call event waited between asterisk-java reading it and Huibo handling it. */
    public void amiEventLag(String node, long millis) {
        Timer.builder("huibo_ami_event_lag").description("AMI call event lag by node")
                .tag("node", node).register(registry).record(Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    // ------------------------------------------------------------------ FastAGI

    /** One FastAGI script run, from its environment to its end ({@code result}: ok or error). */
    public void agiDecision(String script, String result, long nanos) {
        Timer.builder("huibo_agi_decision").description("FastAGI script run time by script and result")
                .tag("script", script).tag("result", result)
                .publishPercentileHistogram().register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    // ------------------------------------------------------------------ store

    /** One group commit of {@code size} writes by the writer {@code writer}. */
    public void groupCommit(String writer, int size) {
        DistributionSummary.builder("huibo_group_commit_batch").description("Writes per group commit, by writer")
                .tag("writer", writer).register(registry).record(size);
    }
}
