package io.huibo.health;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * A health check run at most once per {@code ttl}, however many clients ask: {@code /health} needs
 * no authentication, so without this every request would cost a Redis and a MariaDB round trip.
 * Requests arriving while a check runs share it; a result (healthy, unhealthy or failed) is answered
 * until {@code ttl} after its check started. Safe to call from any event loop: each caller gets the
 * result on its own context.
 */
public final class CachedHealth implements HealthCheck {

    private record Entry(long startedNanos, Future<Report> report) {
    }

    private final HealthCheck delegate;
    private final long ttlNanos;
    private final LongSupplier nanoTime;
    private final AtomicReference<Entry> current = new AtomicReference<>();

    public CachedHealth(HealthCheck delegate, Duration ttl, LongSupplier nanoTime) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.ttlNanos = ttl.toNanos();
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    @Override
    public Future<Report> check() {
        Context caller = Vertx.currentContext();
        Future<Report> shared = shared();
        if (caller == null) {
            return shared;
        }
        Promise<Report> p = Promise.promise();
        shared.onComplete(ar -> caller.runOnContext(v -> p.handle(ar)));
        return p.future();
    }

    private Future<Report> shared() {
        while (true) {
            Entry e = current.get();
            long now = nanoTime.getAsLong();
            if (e != null && (!e.report().isComplete() || now - e.startedNanos() < ttlNanos)) {
                return e.report();
            }
            Promise<Report> p = Promise.promise();
            if (current.compareAndSet(e, new Entry(now, p.future()))) {
                start().onComplete(p);
                return p.future();
            }
        }
    }

    private Future<Report> start() {
        try {
            return delegate.check();
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }
}
