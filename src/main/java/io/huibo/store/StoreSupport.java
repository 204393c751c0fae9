package io.huibo.store;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** JDBC plumbing shared by the stores: UTC DATETIME(3) binding, executors, context hand-back. */
final class StoreSupport {

    private StoreSupport() {
    }

    @FunctionalInterface
    interface SqlWork<T> {
        T run() throws Exception;
    }

    /** DATETIME(3) keeps milliseconds: values are cut there before binding so what we return is what is stored. */
    static Instant millis(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.MILLIS);
    }

    static void setInstant(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(i, Types.TIMESTAMP);
        } else {
            ps.setObject(i, LocalDateTime.ofInstant(millis(t), ZoneOffset.UTC));
        }
    }

    static Instant getInstant(ResultSet rs, String column) throws SQLException {
        LocalDateTime t = rs.getObject(column, LocalDateTime.class);
        return t == null ? null : t.toInstant(ZoneOffset.UTC);
    }

    /** The VALUES list of a multi-row INSERT: {@code row} {@code n} times, comma-separated. */
    static String rows(String row, int n) {
        StringBuilder sb = new StringBuilder(n * (row.length() + 1));
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append(row);
        }
        return sb.toString();
    }

    static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    static ExecutorService executor(String name, int threads) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor ex = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, name + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        ex.allowCoreThreadTimeOut(true);
        return ex;
    }

    /** Runs blocking JDBC work on {@code executor}; the future completes on the caller's Vert.x context. */
    static <T> Future<T> blocking(ExecutorService executor, SqlWork<T> work) {
        Context ctx = Vertx.currentContext();
        CompletableFuture<T> cf = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    cf.complete(work.run());
                } catch (Throwable t) {
                    cf.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            cf.completeExceptionally(new IllegalStateException("store is closed"));
        }
        return back(cf, ctx);
    }

    static <T> Future<T> back(CompletableFuture<T> cf, Context ctx) {
        return ctx == null ? Future.fromCompletionStage(cf) : Future.fromCompletionStage(cf, ctx);
    }
}
