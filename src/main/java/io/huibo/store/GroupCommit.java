package io.huibo.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
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

    private final String name;
    private final DataSource ds;
    private final int maxBatch;
    private final Writer<T> writer;
    private final Function<T, CompletableFuture<?>> future;
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
                write(batch);
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

    private void write(List<T> batch) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                Exception failed = commitRetrying(c, batch);
                if (failed == null) {
                    return;
                }
                if (batch.size() == 1) {
                    future.apply(batch.get(0)).completeExceptionally(failed);
                    return;
                }
                LOG.warn("{}: group commit of {} writes failed ({}); retrying one by one", name, batch.size(),
                        failed.getMessage());
                for (T item : batch) {
                    Exception e = commitRetrying(c, List.of(item));
                    if (e != null) {
                        future.apply(item).completeExceptionally(e);
                    }
                }
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            batch.forEach(p -> future.apply(p).completeExceptionally(e));
        }
    }

    /**
     * As {@link #commit}, but a transaction that lost a deadlock or a lock wait is run again: InnoDB
     * picks a victim when writers of several instances insert into the same unique index at once, and
     * the victim's writes are valid, only unlucky. Failing them would answer 503 to a good request.
     */
    private Exception commitRetrying(Connection c, List<T> batch) {
        Exception failed = commit(c, batch);
        for (int retry = 1; retry <= TRANSIENT_RETRIES && isTransient(failed); retry++) {
            LOG.info("{}: a transaction of {} writes lost a deadlock or a lock wait ({}); running it again",
                    name, batch.size(), failed.getMessage());
            try {
                Thread.sleep(ThreadLocalRandom.current().nextLong(5L * retry, 20L * retry));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return failed;
            }
            failed = commit(c, batch);
        }
        return failed;
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

    /** One transaction for {@code batch}: null if committed (and its futures completed), else the error. */
    private Exception commit(Connection c, List<T> batch) {
        batches.accept(name, batch.size());
        Runnable done;
        try {
            done = writer.write(c, batch);
            endTurn();
            c.commit();
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c);
            return e;
        }
        done.run();
        return null;
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
