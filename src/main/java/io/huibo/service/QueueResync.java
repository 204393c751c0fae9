package io.huibo.service;

import io.huibo.domain.Attempt;
import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.queue.CallbackQueue;
import io.huibo.store.CallbackStore;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes Redis index every callback that MariaDB says is still alive: at start (a crash between the
 * MariaDB commit and the Redis enqueue, a Redis that lost data while no instance ran) and again while
 * running whenever Redis' data-set epoch changes ({@link CallbackQueue#epoch}: Redis restarted without
 * its files or was flushed, or another process serves it: a restart, a Sentinel failover whose promoted
 * replica may lack the last writes, e.g. an enqueue). Callbacks already indexed are left alone by the queue scripts, so a run on
 * a healthy pair is harmless and several instances may run at once.
 *
 * <p>A MariaDB read that fails is never taken for "no attempt": that callback is skipped, and the whole
 * run counts as failed so the next check runs it again.
 */
public final class QueueResync extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(QueueResync.class);
    private static final int PAGE = 1000;

    private final CallbackStore store;
    private final CallbackQueue queue;
    private final Duration every;
    /** The epoch the last complete run indexed for; null until one succeeded. Confined to this verticle. */
    private String indexedFor;
    private boolean running;
    private long timer = -1;

    public QueueResync(CallbackStore store, CallbackQueue queue, Duration every) {
        this.store = store;
        this.queue = queue;
        this.every = every;
    }

    @Override
    public Future<?> start() {
        // in the background: with a million pending callbacks the scan takes a while, and the schedule
        // in Redis is usable meanwhile (the scan only adds what Redis lost)
        check();
        timer = vertx.setPeriodic(every.toMillis(), t -> check());
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        vertx.cancelTimer(timer);
        return Future.succeededFuture();
    }

    /** Runs a re-index when none succeeded yet for Redis' current epoch. */
    Future<Integer> check() {
        if (running) {
            return Future.succeededFuture(0);
        }
        running = true;
        return queue.epoch().compose(epoch -> {
            if (epoch.equals(indexedFor)) {
                return Future.succeededFuture(0);
            }
            if (indexedFor != null && !dataSet(epoch).equals(dataSet(indexedFor))) {
                log.warn("Redis lost its data (epoch {} -> {}): indexing the live callbacks again", indexedFor, epoch);
            } else if (indexedFor != null) {
                log.warn("another Redis process serves the data (restart or failover, epoch {} -> {}): indexing the "
                        + "live callbacks again, the last writes before it may be lost", indexedFor, epoch);
            }
            return run().onSuccess(n -> {
                indexedFor = epoch;
                log.info("re-indexed {} callbacks from MariaDB into Redis", n);
            });
        }).onFailure(e -> log.warn("re-indexing callbacks from MariaDB failed: {}", e.toString()))
                .onComplete(ar -> running = false);
    }

    /** The data-set part of an epoch ({@link CallbackQueue#epoch}), without the serving process. */
    private static String dataSet(String epoch) {
        int at = epoch.lastIndexOf('@');
        return at < 0 ? epoch : epoch.substring(0, at);
    }

    /** @return how many callbacks were (re)indexed; fails if any could not be read or indexed */
    public Future<Integer> run() {
        return page("", 0, new int[1]);
    }

    private Future<Integer> page(String after, int done, int[] failed) {
        return store.active(PAGE, after).compose(list -> {
            if (list.isEmpty()) {
                return finish(done, failed);
            }
            List<Future<Boolean>> fs = new ArrayList<>(list.size());
            for (Callback cb : list) {
                fs.add(index(cb));
            }
            String last = list.get(list.size() - 1).id();
            return Future.join(fs).transform(ar -> {
                int added = 0;
                for (Future<Boolean> f : fs) {
                    if (f.failed()) {
                        failed[0]++;
                    } else if (Boolean.TRUE.equals(f.result())) {
                        added++;
                    }
                }
                return list.size() < PAGE ? finish(done + added, failed) : page(last, done + added, failed);
            });
        });
    }

    private static Future<Integer> finish(int done, int[] failed) {
        return failed[0] == 0 ? Future.succeededFuture(done)
                : Future.failedFuture(new IllegalStateException(failed[0] + " callbacks not re-indexed"));
    }

    private Future<Boolean> index(Callback cb) {
        if (cb.state() == CallState.QUEUED) {
            return queue.enqueue(cb.id(), cb.priority(), cb.dueAt());
        }
        // DIALING: keep the in-flight attempt so the next claimer finds out how it ended instead of
        // dialing again; no attempt row means none was marked yet
        return store.attempt(cb.id(), cb.attempts()).compose(a -> {
            if (a.isEmpty()) {
                return queue.enqueue(cb.id(), cb.priority(), null);
            }
            Attempt at = a.get();
            return queue.restore(cb.id(), cb.priority(), at.number(), at.nodeId(), at.channelId(), at.startedAt());
        });
    }
}
