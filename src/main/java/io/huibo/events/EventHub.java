package io.huibo.events;

import io.huibo.config.HuiboConfig;
import io.huibo.store.EventLog;
import io.huibo.store.EventTail;
import io.huibo.store.StoredEvent;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tails {@code callback_events} for every client of {@code GET /v1/events} on this instance: one query
 * per poll interval whatever the number of clients, run on the event log's own threads. Every instance
 * writes its state changes to that table, so every instance sees every change, and its ids are the
 * event ids (a client resumes exactly where it left off, on any instance). All state here is touched on
 * this verticle's context only.
 */
public final class EventHub extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(EventHub.class);
    static final int BATCH = 500;

    private final EventLog events;
    private final HuiboConfig.Events cfg;
    private final Clock clock;
    private final List<Subscriber> subscribers = new ArrayList<>();
    private EventTail tail;
    private long heartbeat;
    private long pollTimer = -1;
    private boolean stopped;
    /** While MariaDB fails, one line when it starts and one when it ends, not one per poll. */
    private boolean failing;

    public EventHub(EventLog events, HuiboConfig.Events cfg, Clock clock) {
        this.events = events;
        this.cfg = cfg;
        this.clock = clock;
    }

    @Override
    public Future<?> start() {
        return events.lastId().onSuccess(last -> {
            tail = new EventTail(last, cfg.gapWait());
            heartbeat = vertx.setPeriodic(cfg.heartbeat().toMillis(), t -> subscribers.forEach(Subscriber::heartbeat));
            schedule(0);
        });
    }

    @Override
    public Future<?> stop() {
        stopped = true;
        vertx.cancelTimer(heartbeat);
        if (pollTimer >= 0) {
            vertx.cancelTimer(pollTimer);
        }
        subscribers.forEach(Subscriber::end);
        subscribers.clear();
        return Future.succeededFuture();
    }

    /**
     * Adds a client: from {@code lastEventId} (exclusive; stored events it missed are read first), or
     * from now when it is negative.
     */
    void subscribe(Subscriber s, long lastEventId) {
        context.runOnContext(v -> {
            if (stopped || s.closed()) {
                s.end();
                return;
            }
            subscribers.add(s);
            if (lastEventId < 0) {
                s.cursor = tail.cursor();
            } else {
                // a client may come from an instance that is ahead of this one: nothing up to its id again
                s.cursor = lastEventId;
                if (lastEventId < tail.cursor()) {
                    catchUp(s);
                }
            }
        });
    }

    void unsubscribe(Subscriber s) {
        s.markClosed();
        context.runOnContext(v -> subscribers.remove(s));
    }

    int subscriberCount() {
        return subscribers.size();
    }

    private void catchUp(Subscriber s) {
        s.catchingUp = true;
        long upTo = tail.cursor();
        events.range(s.cursor, upTo, s.onlyCallback(), s.number(), BATCH).onComplete(ar -> {
            if (s.closed() || stopped) {
                return;
            }
            if (ar.failed()) {
                log.warn("events: a client's catch-up failed: {}", ar.cause().toString());
                unsubscribe(s);
                s.end();
                return;
            }
            List<StoredEvent> rows = ar.result();
            s.send(rows.stream().filter(s::matches).toList(), () -> unsubscribe(s));
            s.cursor = rows.size() == BATCH ? rows.get(rows.size() - 1).id() : upTo;
            if (s.cursor < tail.cursor()) {
                catchUp(s);
            } else {
                s.catchingUp = false;
            }
        });
    }

    private void schedule(long delay) {
        if (stopped) {
            return;
        }
        if (delay <= 0) {
            pollTimer = -1;
            poll();
        } else {
            pollTimer = vertx.setTimer(delay, t -> {
                pollTimer = -1;
                poll();
            });
        }
    }

    private void poll() {
        long from = tail.cursor();
        Instant now = clock.instant();
        events.after(from, BATCH).compose(rows -> {
            EventTail.Advance a = tail.advance(ids(rows), now, 0);
            List<StoredEvent> ready = new ArrayList<>(rows.subList(0, a.count()));
            if (a.settleBelow() <= 0) {
                return Future.succeededFuture(ready);
            }
            long settleFrom = tail.cursor();
            return events.settle(settleFrom, a.settleBelow())
                    .compose(x -> events.after(settleFrom, BATCH))
                    .map(more -> {
                        EventTail.Advance b = tail.advance(ids(more), now, a.settleBelow());
                        ready.addAll(more.subList(0, b.count()));
                        return ready;
                    });
        }).onComplete(ar -> {
            if (ar.failed()) {
                if (!failing) {
                    failing = true;
                    log.warn("events: reading callback_events failed (retrying every second): {}", ar.cause().toString());
                }
                schedule(Math.max(1000, cfg.pollInterval().toMillis()));
                return;
            }
            if (failing) {
                failing = false;
                log.info("events: reading callback_events again");
            }
            broadcast(ar.result());
            schedule(ar.result().size() >= BATCH ? 0 : cfg.pollInterval().toMillis());
        });
    }

    private void broadcast(List<StoredEvent> ready) {
        if (ready.isEmpty()) {
            return;
        }
        long last = ready.get(ready.size() - 1).id();
        for (Subscriber s : List.copyOf(subscribers)) {
            if (s.catchingUp || s.closed()) {
                continue;
            }
            List<StoredEvent> mine = new ArrayList<>();
            for (StoredEvent e : ready) {
                if (e.id() > s.cursor && s.matches(e)) {
                    mine.add(e);
                }
            }
            s.cursor = Math.max(s.cursor, last);
            s.send(mine, () -> unsubscribe(s));
        }
    }

    private static long[] ids(List<StoredEvent> rows) {
        long[] out = new long[rows.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = rows.get(i).id();
        }
        return out;
    }
}
