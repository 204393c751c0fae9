package io.huibo.queue;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schedule's figures over the last {@code window}, for the dashboard's charts: one sample every
 * {@code period}, kept in a bounded ring in memory. Each instance keeps its own (the figures are the
 * cluster's, read from Redis and MariaDB, so any instance's history shows the same curve); a restart
 * starts it empty, which is why it is not worth a table.
 */
public final class QueueHistory extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(QueueHistory.class);

    /**
     * One reading.
     *
     * @param at                Redis' clock when it was read
     * @param waiting           callbacks in the ready sets, due or not
     * @param dueNow            those of them due at {@code at}
     * @param leased            being dialed or about to be
     * @param parked            waiting for their node's owner
     * @param dialRatePerSecond attempts started by every instance in the last minute, per second
     */
    public record Sample(Instant at, long waiting, long dueNow, long leased, long parked, double dialRatePerSecond) {
        public static Sample of(QueueAdmin.Stats s, double dialRatePerSecond) {
            return new Sample(s.now(), s.totalWaiting(), s.totalDueNow(), s.leased(), s.parked(), dialRatePerSecond);
        }
    }

    private final Supplier<Future<Sample>> source;
    private final Duration period;
    private final Duration window;
    private final int capacity;
    /** Written on this verticle's context, read by the HTTP event loops: guarded by {@code this}. */
    private final ArrayDeque<Sample> ring;
    private boolean reading;

    /** @param source reads the figures now (Redis and MariaDB; must not block) */
    public QueueHistory(Supplier<Future<Sample>> source, Duration period, Duration window) {
        if (period.isNegative() || period.isZero() || window.compareTo(period) < 0) {
            throw new IllegalArgumentException("period must be positive and at most the window");
        }
        this.source = source;
        this.period = period;
        this.window = window;
        this.capacity = (int) (window.toMillis() / period.toMillis());
        this.ring = new ArrayDeque<>(capacity);
    }

    @Override
    public Future<?> start() {
        sample();
        vertx.setPeriodic(period.toMillis(), id -> sample());
        return Future.succeededFuture();
    }

    private void sample() {
        if (reading) {
            // a slow Redis or MariaDB: skip a sample rather than pile reads up
            return;
        }
        reading = true;
        Future<Sample> f;
        try {
            f = source.get();
        } catch (RuntimeException e) {
            f = Future.failedFuture(e);
        }
        f.onComplete(ar -> {
            reading = false;
            if (ar.succeeded()) {
                add(ar.result());
            } else {
                // a gap in the chart says it; the log need not say it every period
                log.debug("queue history sample failed: {}", ar.cause().toString());
            }
        });
    }

    synchronized void add(Sample s) {
        if (ring.size() == capacity) {
            ring.removeFirst();
        }
        ring.addLast(s);
    }

    /** The samples kept, oldest first. */
    public synchronized List<Sample> samples() {
        return List.copyOf(ring);
    }

    public Duration period() {
        return period;
    }

    public Duration window() {
        return window;
    }
}
