package io.huibo.events;

import io.huibo.store.StoredEvent;
import io.vertx.core.Context;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.Set;

/**
 * One client of {@code GET /v1/events}. Its position ({@link #cursor}) and catch-up flag belong to the
 * {@link EventHub}'s context; writes happen on the context of the client's connection. A client that
 * leaves more than the write queue's limit unread is dropped with an {@code event: dropped} frame naming
 * the last id it was sent, so it can resume from there.
 */
final class Subscriber {
    private final Context http;
    private final HttpServerResponse response;
    private final HttpConnection connection;
    private final Set<String> callbacks;
    private final String number;
    /** Last event id this client has been handed (hub context). */
    long cursor;
    /** Reading the stored events it missed (hub context): live events wait until it has caught up. */
    boolean catchingUp;
    private volatile boolean closed;
    /** Last id written (connection context). */
    private long sent;

    Subscriber(Context http, HttpServerResponse response, HttpConnection connection, Set<String> callbacks,
               String number) {
        this.http = http;
        this.response = response;
        this.connection = connection;
        this.callbacks = Set.copyOf(callbacks);
        this.number = number;
    }

    boolean matches(StoredEvent e) {
        return (callbacks.isEmpty() || callbacks.contains(e.callbackId())) && (number == null || number.equals(e.number()));
    }

    /** The single callback asked for, if exactly one (the catch-up query can use its index). */
    String onlyCallback() {
        return callbacks.size() == 1 ? callbacks.iterator().next() : null;
    }

    String number() {
        return number;
    }

    boolean closed() {
        return closed;
    }

    void markClosed() {
        closed = true;
    }

    /** From the hub: writes {@code events} (already filtered) on the connection's context. */
    void send(List<StoredEvent> events, Runnable onDrop) {
        if (events.isEmpty() || closed) {
            return;
        }
        http.runOnContext(v -> {
            for (StoredEvent e : events) {
                if (closed) {
                    return;
                }
                if (response.writeQueueFull()) {
                    drop(onDrop);
                    return;
                }
                response.write(EventJson.frame(e));
                sent = e.id();
            }
        });
    }

    void heartbeat() {
        if (closed) {
            return;
        }
        http.runOnContext(v -> {
            if (!closed && !response.writeQueueFull()) {
                response.write(": heartbeat\n\n");
            }
        });
    }

    /** Ends the stream (the server stops): the client reconnects elsewhere with its Last-Event-ID. */
    void end() {
        http.runOnContext(v -> {
            if (!closed) {
                closed = true;
                response.end();
            }
        });
    }

    private void drop(Runnable onDrop) {
        closed = true;
        onDrop.run();
        // the connection goes once the frame is out; a client that does not even read that goes anyway
        long timer = http.owner().setTimer(10_000, t -> connection.close());
        response.end("event: dropped\ndata: {\"reason\":\"the client reads too slowly\",\"lastEventId\":"
                + sent + "}\n\n").onComplete(ar -> {
                    http.owner().cancelTimer(timer);
                    connection.close();
                });
    }
}
