package io.huibo.service;

import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.policy.CallingGate;
import io.huibo.queue.CallbackQueue;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

/**
 * Where a queued callback stands: how many a claim takes before it (Redis, one script) and when it is
 * likely dialed, from the dial rate of the last minute (all instances) and its callee's quiet hours.
 */
public final class QueuePosition {
    /** @param eta null when the dial rate is 0 and others are ahead: no honest guess */
    public record Placing(long position, Instant eta) {
    }

    private final CallbackQueue queue;
    private final Function<Instant, Future<Long>> attemptsStartedSince;
    private final CallingGate gate;
    private final Clock clock;

    /**
     * @param attemptsStartedSince attempts started since an instant, all instances (the dial rate)
     * @param gate                 for the quiet hours; null: none
     */
    public QueuePosition(CallbackQueue queue, Function<Instant, Future<Long>> attemptsStartedSince, CallingGate gate,
                         Clock clock) {
        this.queue = queue;
        this.attemptsStartedSince = attemptsStartedSince;
        this.gate = gate;
        this.clock = clock;
    }

    /** Null (a succeeded future of null) when it is not waiting in the queue. */
    public Future<Placing> of(Callback cb) {
        if (cb.state() != CallState.QUEUED) {
            return Future.succeededFuture(null);
        }
        return queue.position(cb.id()).compose(pos -> {
            if (pos.isEmpty()) {
                return Future.succeededFuture(null);
            }
            Instant now = clock.instant();
            return attemptsStartedSince.apply(now.minus(CallbackOperations.RATE_WINDOW))
                    .map(n -> new Placing(pos.get().ahead(), eta(cb, pos.get().ahead(), pos.get().dueAt(), n, now)));
        });
    }

    /** Due time, or later by the dial rate for those ahead, moved past quiet hours. Pure. */
    Instant eta(Callback cb, long ahead, Instant due, long attemptsInWindow, Instant now) {
        return eta(ahead, due, attemptsInWindow, now, gate == null ? null : t -> {
            var v = gate.verdict(cb, t);
            return v instanceof io.huibo.dispatch.DialGate.Verdict.Wait w ? w.until() : t;
        });
    }

    static Instant eta(long ahead, Instant due, long attemptsInWindow, Instant now, Function<Instant, Instant> quiet) {
        Instant from = due.isAfter(now) ? due : now;
        Instant t;
        if (ahead == 0) {
            t = from;
        } else if (attemptsInWindow == 0) {
            return null;
        } else {
            double perSecond = CallbackOperations.dialRatePerSecond(attemptsInWindow);
            t = from.plus(Duration.ofMillis((long) Math.ceil(ahead / perSecond * 1000)));
        }
        return quiet == null ? t : quiet.apply(t);
    }
}
