package io.huibo.metrics;

import io.huibo.pbx.NodeStatus;
import io.huibo.redis.RedisScripts;
import io.lettuce.core.ScriptOutputType;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gauges that cost a round trip (queue depth from Redis) or change with the node list (calls in
 * progress per node), read every {@code period} on this verticle's own timer: a scrape only reads the
 * last values, so however many scrapers there are, Redis sees one read per period per instance.
 */
public final class Sampler extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(Sampler.class);
    private static final int PRIORITIES = 10;

    private final MeterRegistry registry;
    private final RedisScripts redis;
    private final RedisScripts.Script depth;
    private final List<String> keys;
    private final Supplier<List<NodeStatus>> nodes;
    private final Duration period;
    private final AtomicLong[] waiting = new AtomicLong[PRIORITIES];
    private final AtomicLong[] dueNow = new AtomicLong[PRIORITIES];
    private final Map<String, AtomicLong> inProgress = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> connected = new ConcurrentHashMap<>();
    private boolean reading;

    /** Loads its Redis script (blocking: call it at start). */
    public Sampler(Metrics metrics, RedisScripts redis, Supplier<List<NodeStatus>> nodes, Duration period) {
        this.registry = metrics.registry();
        this.redis = redis;
        this.depth = redis.script(Sampler.class, "depth");
        List<String> k = new ArrayList<>();
        for (int p = 0; p < PRIORITIES; p++) {
            k.add(redis.key("ready:" + p));
            waiting[p] = new AtomicLong();
            dueNow[p] = new AtomicLong();
            String prio = Integer.toString(p);
            Gauge.builder("huibo_queue_depth", waiting[p], AtomicLong::get)
                    .description("Callbacks waiting in the queue (leased and parked ones excluded), by priority")
                    .tag("priority", prio).register(registry);
            Gauge.builder("huibo_queue_due_now", dueNow[p], AtomicLong::get)
                    .description("Callbacks in the queue whose due time has come, by priority")
                    .tag("priority", prio).register(registry);
        }
        this.keys = List.copyOf(k);
        this.nodes = nodes;
        this.period = period;
    }

    @Override
    public Future<?> start() {
        sample();
        vertx.setPeriodic(period.toMillis(), id -> sample());
        return Future.succeededFuture();
    }

    private void sample() {
        for (NodeStatus s : nodes.get()) {
            inProgress.computeIfAbsent(s.id(), id -> {
                AtomicLong v = new AtomicLong();
                Gauge.builder("huibo_calls_in_progress", v, AtomicLong::get)
                        .description("Attempts in flight on a node driven by this instance").tag("node", id)
                        .register(registry);
                return v;
            }).set(s.active());
            connected.computeIfAbsent(s.id(), id -> {
                AtomicLong v = new AtomicLong();
                Gauge.builder("huibo_node_up", v, AtomicLong::get)
                        .description("1 while the node is connected here or driven by another instance")
                        .tag("node", id).register(registry);
                return v;
            }).set(s.state() == NodeStatus.State.CONNECTED || s.state() == NodeStatus.State.STANDBY ? 1 : 0);
        }
        if (reading) {
            return;
        }
        reading = true;
        redis.<List<Long>>run(depth, ScriptOutputType.MULTI, keys, List.of()).onComplete(ar -> {
            reading = false;
            if (ar.failed()) {
                log.debug("queue depth not read: {}", ar.cause().toString());
                return;
            }
            List<Long> v = ar.result();
            for (int p = 0; p < PRIORITIES && 2 * p + 1 < v.size(); p++) {
                waiting[p].set(v.get(2 * p));
                dueNow[p].set(v.get(2 * p + 1));
            }
        });
    }
}
