package io.huibo.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Group commit: callers queue writes, a writer thread takes everything waiting (up to a maximum) and
 * writes it in one transaction, so the cost of a commit (a log flush) is shared by every write that
 * arrived meanwhile. A write's future completes only after its transaction is committed. If the
 * transaction fails, it is rolled back and each write is redone in a transaction of its own, so a bad
 * write fails only its own caller.
 *
 * @param <T> a queued write; it carries the future the writer completes or fails
 */
final class GroupCommit<T> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);

    @FunctionalInterface
    interface Writer<T> {
        /**
         * Writes {@code batch} on {@code c}, inside a transaction the caller commits, and returns what
         * completes the batch's futures: run only once the commit succeeded, and before the list is
         * reused for the next batch.
         */
        Runnable write(Connection c, List<T> batch) throws SQLException;
    }

    private static final int TRANSIENT_RETRIES = 4;
    /**
     * How long a batch is tried again while its connection or its node is lost: long enough for a Galera
     * cluster to drop a dead node (evs.suspect_timeout, 5 s by default) and for the connector to reach
     * the next one, short of a caller's patience.
     */
    static final Duration FAILOVER_WINDOW = Duration.ofSeconds(15);

    private final String name;
    private final DataSource ds;
    private final int maxBatch;
    private final Writer<T> writer;
    private final Function<T, CompletableFuture<?>> future;
    private final CommitMarks marks;
    private final LinkedBlockingQueue<T> queue = new LinkedBlockingQueue<>();
    private final List<Thread> threads = new ArrayList<>();
    /**
     * Held by a writer from taking a batch until its statements are sent; only the commits overlap.
     * So batches reach MariaDB in the order they were queued (two inserts of one idempotency key in
     * batches of two writers: the first queued is the one stored), yet one writer's log flush is not
     * a gap in which nothing is written.
     */
    private final ReentrantLock turn = new ReentrantLock();
    private volatile boolean closed;
    /**
     * Told the size of every batch (for the metrics): one hook for the process, as the writers are
     * built deep inside the stores; set once at start through {@link GroupCommits#observe}.
     */
    private static volatile java.util.function.ObjIntConsumer<String> batches = (n, size) -> { };

    /** Where the sizes of all group commits go from now on (batch-size metrics). */
    static void observeBatches(java.util.function.ObjIntConsumer<String> observer) {
        batches = java.util.Objects.requireNonNull(observer, "observer");
    }

    /**
     * @param threads more than one lets a writer take and send the next batch while another waits
     *                for its commit to reach the disk
     */
    GroupCommit(String name, DataSource ds, int threads, int maxBatch, Writer<T> writer,
                Function<T, CompletableFuture<?>> future) {
        this(name, ds, threads, maxBatch, writer, future, CommitMarks.TABLE);
    }

    /** @param marks where the writers keep their commit marks (tests: in memory) */
    GroupCommit(String name, DataSource ds, int threads, int maxBatch, Writer<T> writer,
                Function<T, CompletableFuture<?>> future, CommitMarks marks) {
        this.marks = marks;
        this.name = name;
        this.ds = ds;
        this.maxBatch = maxBatch;
        this.writer = writer;
        this.future = future;
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(this::loop, name + "-" + i);
            t.setDaemon(true);
            t.start();
            this.threads.add(t);
        }
    }

    /** Queues a write; fails its future at once if closed. */
    void submit(T item) {
        if (closed) {
            future.apply(item).completeExceptionally(closedException());
            return;
        }
        queue.add(item);
        // closed meanwhile: the writers may have drained the queue for the last time already
        if (closed && queue.remove(item)) {
            future.apply(item).completeExceptionally(closedException());
        }
    }

    /** Writes what is queued, then stops the writers (waits up to 5 s); later writes fail. */
    @Override
    public void close() {
        closed = true;
        try {
            for (Thread t : threads) {
                t.join(5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        List<T> batch = new ArrayList<>(maxBatch);
        Lane lane = new Lane();
        while (true) {
            T first;
            turn.lock();
            try {
                first = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                turn.unlock();
                break;
            }
            if (first == null) {
                turn.unlock();
                if (closed) {
                    break;
                }
                continue;
            }
            batch.add(first);
            queue.drainTo(batch, maxBatch - 1);
            try {
                write(batch, lane);
            } catch (RuntimeException e) {
                // Never let the writer die: fail this batch, keep serving the next ones.
                batch.forEach(p -> future.apply(p).completeExceptionally(e));
            } finally {
                endTurn();
            }
            batch.clear();
        }
        T left;
        while ((left = queue.poll()) != null) {
            future.apply(left).completeExceptionally(closedException());
        }
    }

    private void write(List<T> batch, Lane lane) {
        try {
            Exception failed = commitRetrying(lane, batch);
            if (failed == null) {
                return;
            }
            // a connection or a cluster that stayed away fails every write alike: one by one would only wait again
            if (batch.size() == 1 || isConnectionLost(failed)) {
                batch.forEach(p -> future.apply(p).completeExceptionally(failed));
                return;
            }
            LOG.warn("{}: group commit of {} writes failed ({}); retrying one by one", name, batch.size(),
                    failed.getMessage());
            for (T item : batch) {
                Exception e = commitRetrying(lane, List.of(item));
                if (e != null) {
                    future.apply(item).completeExceptionally(e);
                }
            }
        } finally {
            lane.release();
        }
    }

    /**
     * As {@link #commit}, run again on a fresh connection while it fails for a reason that says nothing
     * about the writes. A deadlock or a lock wait: InnoDB picks a victim when writers of several instances
     * insert into the same unique index at once (on Galera a certification failure reads as a deadlock
     * too), and the victim's writes are valid, only unlucky. A lost connection or a node leaving its
     * cluster (WSREP not ready): the connector of a failover URL connects to the next node, and the
     * writes go there. Failing either would answer 503 to a good request, or lose a step the dispatcher
     * already acted on. A COMMIT whose answer was lost is settled by the writer's commit mark.
     */
    private Exception commitRetrying(Lane lane, List<T> batch) {
        Map<Long, Runnable> unanswered = new HashMap<>();
        long deadline = System.nanoTime() + FAILOVER_WINDOW.toNanos();
        int lockRetries = 0;
        for (int attempt = 1; ; attempt++) {
            Exception failed = commit(lane, batch, unanswered);
            if (failed == null) {
                return null;
            }
            boolean lost = isConnectionLost(failed);
            if (!lost && !isTransient(failed)) {
                return failed;
            }
            if ((!lost && ++lockRetries > TRANSIENT_RETRIES) || System.nanoTime() - deadline > 0) {
                return unanswered.isEmpty() ? failed : new SQLException(name + ": the outcome of a commit of "
                        + batch.size() + " writes is unknown (" + failed.getMessage() + ")", failed);
            }
            LOG.info("{}: a transaction of {} writes {} ({}); running it again on a fresh connection", name,
                    batch.size(), lost ? "lost its connection" : "lost a deadlock or a lock wait",
                    failed.getMessage());
            lane.discard();
            try {
                Thread.sleep(lost ? Math.min(1000L, 25L << Math.min(attempt, 6))
                        + ThreadLocalRandom.current().nextLong(25L)
                        : ThreadLocalRandom.current().nextLong(5L * attempt, 20L * attempt));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return failed;
            }
        }
    }

    /** A deadlock (1213), a lock wait timeout (1205) or a serialization failure: safe to run again. */
    static boolean isTransient(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && (sql.getErrorCode() == 1213 || sql.getErrorCode() == 1205
                    || "40001".equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The connection broke or its server cannot take writes now: class 08 and the connector's 25S03
     * (it reconnected to another host; the transaction, or the answer to its COMMIT, was lost), WSREP not
     * ready (1047: a Galera node outside the primary component), server shutdown (1053), connection
     * killed (1927), server gone (2006, 2013). Nothing in the writes is wrong.
     */
    static boolean isConnectionLost(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLRecoverableException) {
                return true;
            }
            if (t instanceof SQLException sql) {
                String state = sql.getSQLState();
                int code = sql.getErrorCode();
                if ((state != null && (state.startsWith("08") || state.equals("25S03")))
                        || code == 1047 || code == 1053 || code == 1927 || code == 2006 || code == 2013) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * One transaction for {@code batch}: null if committed (and its futures completed), else the error.
     * {@code unanswered} holds, by their mark, the completions of earlier tries of this batch whose
     * COMMIT got no answer; one of them may have happened.
     */
    private Exception commit(Lane lane, List<T> batch, Map<Long, Runnable> unanswered) {
        Connection c;
        try {
            c = lane.connection();
        } catch (SQLException e) {
            return e;
        }
        batches.accept(name, batch.size());
        long mark = lane.next();
        Runnable done;
        try {
            OptionalLong found = marks.advance(c, lane.id, lane.committed, mark);
            if (found.isPresent() && !unanswered.containsKey(found.getAsLong())) {
                // a batch given up on with its outcome unknown did commit after all (its callers were
                // told to retry, and their retries find what it stored): go on from there
                LOG.warn("{}: a commit given up on as unknown had happened (mark {}); going on from it", name,
                        found.getAsLong());
                lane.committed = found.getAsLong();
                found = marks.advance(c, lane.id, lane.committed, mark);
            }
            if (found.isPresent()) {
                // an earlier try of this batch did commit; the writer's row cannot move otherwise
                Runnable earlier = unanswered.get(found.getAsLong());
                if (earlier == null) {
                    throw new SQLException(name + ": commit mark " + lane.id + " is at " + found.getAsLong()
                            + ", not at " + lane.committed + " or a try of this batch");
                }
                rollbackQuietly(c);
                endTurn();
                lane.committed = found.getAsLong();
                LOG.info("{}: a commit of {} writes whose answer was lost had happened; not written again",
                        name, batch.size());
                earlier.run();
                return null;
            }
            done = writer.write(c, batch);
            endTurn();
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c);
            return e;
        }
        try {
            c.commit();
        } catch (SQLException | RuntimeException e) {
            // even a refused commit is kept: the next try's mark tells whether it happened after all
            unanswered.put(mark, done);
            rollbackQuietly(c);
            return e;
        }
        lane.committed = mark;
        done.run();
        return null;
    }

    /**
     * What one writer thread keeps between its transactions: the connection of the batch in hand (given
     * back after each batch, replaced after a failure) and its commit mark.
     */
    private final class Lane {
        final String id = UUID.randomUUID().toString();
        /** The mark of this writer's last transaction known to be committed (0: none yet). */
        long committed;
        private long last;
        private Connection c;

        long next() {
            return ++last;
        }

        Connection connection() throws SQLException {
            if (c == null) {
                Connection fresh = ds.getConnection();
                try {
                    fresh.setAutoCommit(false);
                } catch (SQLException e) {
                    closeQuietly(fresh);
                    throw e;
                }
                c = fresh;
            }
            return c;
        }

        /** Drops the connection (the pool replaces a broken one); the next try gets another. */
        void discard() {
            if (c != null) {
                closeQuietly(c);
                c = null;
            }
        }

        void release() {
            if (c != null) {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException ignored) {
                    // broken: the pool discards it
                }
                discard();
            }
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // the pool has it back or drops it either way
        }
    }

    /** Lets the next writer take a batch: this one has sent its statements and only commits now. */
    private void endTurn() {
        if (turn.isHeldByCurrentThread()) {
            turn.unlock();
        }
    }

    private static IllegalStateException closedException() {
        return new IllegalStateException("store is closed");
    }

    static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool discards it
        }
    }
}
