package io.huibo.service;

import io.huibo.domain.Attempt;
import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.queue.CallbackQueue;
import io.huibo.store.CallbackStore;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes Redis index every callback that MariaDB says is still alive. Run at start: it repairs a
 * Redis that lost data, and a crash between the MariaDB commit and the Redis enqueue. Callbacks
 * already queued or leased are left alone by the queue scripts, so running it on a healthy pair is
 * harmless and several instances may run it at once.
 */
public final class QueueResync {
    private static final Logger log = LoggerFactory.getLogger(QueueResync.class);
    private static final int PAGE = 1000;

    private final CallbackStore store;
    private final CallbackQueue queue;
    private final Clock clock;

    public QueueResync(CallbackStore store, CallbackQueue queue, Clock clock) {
        this.store = store;
        this.queue = queue;
        this.clock = clock;
    }

    /** @return how many callbacks were (re)indexed */
    public Future<Integer> run() {
        return page("", 0).onSuccess(n -> {
            if (n > 0) {
                log.info("re-indexed {} callbacks from MariaDB into Redis", n);
            }
        });
    }

    private Future<Integer> page(String after, int done) {
        return store.active(PAGE, after).compose(list -> {
            if (list.isEmpty()) {
                return Future.succeededFuture(done);
            }
            List<Future<Boolean>> fs = new ArrayList<>(list.size());
            for (Callback cb : list) {
                fs.add(index(cb));
            }
            String last = list.get(list.size() - 1).id();
            return Future.join(fs).transform(ar -> {
                int added = 0;
                for (Future<Boolean> f : fs) {
                    if (f.succeeded() && Boolean.TRUE.equals(f.result())) {
                        added++;
                    }
                }
                return list.size() < PAGE ? Future.succeededFuture(done + added) : page(last, done + added);
            });
        });
    }

    private Future<Boolean> index(Callback cb) {
        if (cb.state() == CallState.QUEUED) {
            return queue.enqueue(cb.id(), cb.priority(), cb.dueAt());
        }
        // DIALING: keep the in-flight attempt so the next claimer reconciles it instead of dialing again
        return store.attempt(cb.id(), cb.attempts()).compose(a -> {
            if (a.isEmpty()) {
                return queue.enqueue(cb.id(), cb.priority(), clock.instant());
            }
            Attempt at = a.get();
            return queue.restore(cb.id(), cb.priority(), clock.instant(), at.number(), at.nodeId(), at.channelId());
        });
    }
}
