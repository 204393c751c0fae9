package io.huibo.health;

import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The first step of a stop: from {@link #begin()} on, the health check (and so {@code /health/ready})
 * answers "not ready", and the service from {@link #service()} holds the HTTP server open until
 * {@code delay} has passed since then. A load balancer's health checks thus take the instance out
 * before its port closes, so no request is sent to a port that refuses it. Stopped in the reverse
 * order of the start, the services after it in the start order (the dispatcher) stop during the same
 * time, the ones before it (HTTP, FastAGI) only after it.
 */
public final class ShutdownDrain implements HealthCheck {
    private static final long NOT_BEGUN = Long.MIN_VALUE;

    private final HealthCheck delegate;
    private final Duration delay;
    private final LongSupplier nanoTime;
    private final AtomicLong begunAt = new AtomicLong(NOT_BEGUN);

    public ShutdownDrain(HealthCheck delegate, Duration delay, LongSupplier nanoTime) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.delay = Objects.requireNonNull(delay, "delay");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /** The instance is stopping: not ready from now on. Only the first call counts. */
    public void begin() {
        begunAt.compareAndSet(NOT_BEGUN, nanoTime.getAsLong());
    }

    public boolean begun() {
        return begunAt.get() != NOT_BEGUN;
    }

    /** How long the HTTP server must still stay open; zero once the delay passed (or before begin). */
    public Duration remaining() {
        long at = begunAt.get();
        if (at == NOT_BEGUN) {
            return Duration.ZERO;
        }
        long left = delay.toNanos() - (nanoTime.getAsLong() - at);
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    public Duration delay() {
        return delay;
    }

    @Override
    public Future<Report> check() {
        if (begun()) {
            // no probe: what Redis, MariaDB and the nodes say no longer matters
            return Future.succeededFuture(new Report(false, new JsonObject().put("status", "down").put("stopping", true)));
        }
        return delegate.check();
    }

    /**
     * Starts at once; its stop waits out {@link #remaining()} (a stop that is not preceded by
     * {@link #begin()}, as after a failed start, does not wait).
     */
    public Deployable service() {
        return new VerticleBase() {
            @Override
            public Future<?> stop() {
                long ms = remaining().toMillis();
                if (ms <= 0) {
                    return Future.succeededFuture();
                }
                Promise<Void> p = Promise.promise();
                vertx.setTimer(ms, t -> p.complete());
                return p.future();
            }
        };
    }
}
