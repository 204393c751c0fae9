package io.huibo.store;

import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GroupCommitTest {

    /**
     * A database in memory behind fake connections: what a transaction writes (its rows, its writer's
     * commit mark) becomes visible at its commit, which can be made to fail before it happens or to
     * happen and lose its answer, the two sides of a node that stops during COMMIT.
     */
    private static final class MemoryDb {
        final List<String> rows = new CopyOnWriteArrayList<>();
        final Map<String, Long> marks = new ConcurrentHashMap<>();
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger failBeforeCommit = new AtomicInteger();
        final AtomicInteger loseCommitAnswer = new AtomicInteger();

        /** One connection's transaction. */
        final class Tx {
            final List<String> rows = new ArrayList<>();
            final Map<String, Long> marks = new HashMap<>();

            void commit() throws SQLException {
                if (failBeforeCommit.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    rollback();
                    throw lost("during a COMMIT statement");
                }
                MemoryDb.this.rows.addAll(rows);
                MemoryDb.this.marks.putAll(marks);
                rollback();
                if (loseCommitAnswer.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw lost("during a COMMIT statement");
                }
            }

            void rollback() {
                rows.clear();
                marks.clear();
            }
        }

        static SQLException lost(String when) {
            return new SQLTransientConnectionException("Driver has reconnect connection after a communications "
                    + "failure with address=(host=127.0.0.1)(port=3306) " + when, "25S03");
        }

        DataSource dataSource() {
            return new FakeDataSource(() -> {
                connections.incrementAndGet();
                Tx tx = new Tx();
                return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Connection.class},
                        (proxy, method, args) -> switch (method.getName()) {
                            case "unwrap" -> tx;
                            case "commit" -> {
                                tx.commit();
                                yield null;
                            }
                            case "rollback" -> {
                                tx.rollback();
                                yield null;
                            }
                            default -> method.getReturnType() == boolean.class ? false : null;
                        });
            });
        }

        CommitMarks marks() {
            return (c, writer, from, to) -> {
                Tx tx = c.unwrap(Tx.class);
                Long at = marks.get(writer);
                if (at != null && at != from) {
                    return OptionalLong.of(at);
                }
                tx.marks.put(writer, to);
                return OptionalLong.empty();
            };
        }

        /** A writer that writes each item as a row of its transaction. */
        GroupCommit<CompletableFuture<String>> writer(AtomicInteger calls, int failures, SQLException error) {
            return new GroupCommit<>("test-writer", dataSource(), 1, 10, (c, batch) -> {
                if (calls.incrementAndGet() <= failures) {
                    throw error;
                }
                Tx tx = c.unwrap(Tx.class);
                batch.forEach(f -> tx.rows.add("row-" + System.identityHashCode(f)));
                return () -> batch.forEach(f -> f.complete("stored"));
            }, f -> f, marks());
        }
    }

    private record FakeDataSource(java.util.function.Supplier<Connection> connections) implements DataSource {
        @Override
        public Connection getConnection() {
            return connections.get();
        }

        @Override
        public Connection getConnection(String user, String password) {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() {
            return Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> iface) {
            return null;
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }

    private static SQLException deadlock() {
        return new SQLTransactionRollbackException("Deadlock found when trying to get lock", "40001", 1213);
    }

    private static GroupCommit<CompletableFuture<String>> writer(AtomicInteger calls, int failures, SQLException error) {
        return new MemoryDb().writer(calls, failures, error);
    }

    @Test
    void aWriteChosenAsDeadlockVictimIsRunAgain() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (var w = writer(calls, 2, deadlock())) {
            CompletableFuture<String> f = new CompletableFuture<>();
            w.submit(f);
            assertThat(f.get(5, TimeUnit.SECONDS)).isEqualTo("stored");
        }
        assertThat(calls).hasValue(3);
    }

    @Test
    void aLockWaitTimeoutIsRunAgainToo() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (var w = writer(calls, 1, new SQLException("Lock wait timeout exceeded", "HY000", 1205))) {
            CompletableFuture<String> f = new CompletableFuture<>();
            w.submit(f);
            assertThat(f.get(5, TimeUnit.SECONDS)).isEqualTo("stored");
        }
        assertThat(calls).hasValue(2);
    }

    @Test
    void anInvalidWriteFailsAtOnce() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (var w = writer(calls, 1, new SQLException("Data too long for column 'number'", "22001", 1406))) {
            CompletableFuture<String> f = new CompletableFuture<>();
            w.submit(f);
            assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasRootCauseMessage("Data too long for column 'number'");
        }
        assertThat(calls).hasValue(1);
    }

    @Test
    void aDeadlockThatKeepsComingFailsInTheEnd() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (var w = writer(calls, Integer.MAX_VALUE, deadlock())) {
            CompletableFuture<String> f = new CompletableFuture<>();
            w.submit(f);
            assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasRootCauseInstanceOf(SQLTransactionRollbackException.class);
        }
        assertThat(calls.get()).isBetween(2, 10);
    }

    @Test
    void aCommitThatHappenedButLostItsAnswerIsNotWrittenAgain() throws Exception {
        MemoryDb db = new MemoryDb();
        db.loseCommitAnswer.set(1);
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<String> f = new CompletableFuture<>();
        try (var w = db.writer(calls, 0, null)) {
            w.submit(f);
            assertThat(f.get(5, TimeUnit.SECONDS)).isEqualTo("stored");
        }
        assertThat(db.rows).containsExactly("row-" + System.identityHashCode(f));
        assertThat(calls).hasValue(1);
        assertThat(db.connections.get()).as("the retry takes a fresh connection").isGreaterThanOrEqualTo(2);
    }

    @Test
    void aCommitThatDidNotHappenIsWrittenAgainOnce() throws Exception {
        MemoryDb db = new MemoryDb();
        db.failBeforeCommit.set(2);
        AtomicInteger calls = new AtomicInteger();
        List<CompletableFuture<String>> fs = List.of(new CompletableFuture<>(), new CompletableFuture<>());
        try (var w = db.writer(calls, 0, null)) {
            fs.forEach(w::submit);
            for (CompletableFuture<String> f : fs) {
                assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("stored");
            }
        }
        assertThat(db.rows).hasSize(2).doesNotHaveDuplicates();
    }

    @Test
    void aWriteOnANodeLeavingItsClusterIsRunAgainOnAFreshConnection() throws Exception {
        MemoryDb db = new MemoryDb();
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<String> f = new CompletableFuture<>();
        try (var w = db.writer(calls, 2, new SQLException("WSREP has not yet prepared node for application use",
                "08S01", 1047))) {
            w.submit(f);
            assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("stored");
        }
        assertThat(calls).hasValue(3);
        assertThat(db.connections).hasValue(3);
        assertThat(db.rows).hasSize(1);
    }

    @Test
    void aLaterWriteAfterALostAnswerGoesOnFromTheMarkItFound() throws Exception {
        MemoryDb db = new MemoryDb();
        db.loseCommitAnswer.set(1);
        AtomicInteger calls = new AtomicInteger();
        try (var w = db.writer(calls, 0, null)) {
            CompletableFuture<String> first = new CompletableFuture<>();
            w.submit(first);
            assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("stored");
            CompletableFuture<String> second = new CompletableFuture<>();
            w.submit(second);
            assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("stored");
        }
        assertThat(db.rows).hasSize(2).doesNotHaveDuplicates();
        assertThat(calls).hasValue(2);
    }

    @Test
    void connectionLossAndClusterStatesAreToldFromBadWrites() {
        assertThat(GroupCommit.isConnectionLost(MemoryDb.lost("during a COMMIT statement"))).isTrue();
        assertThat(GroupCommit.isConnectionLost(new SQLException("WSREP has not yet prepared node", "08S01", 1047)))
                .isTrue();
        assertThat(GroupCommit.isConnectionLost(new SQLException("Connection was killed", "70100", 1927))).isTrue();
        assertThat(GroupCommit.isConnectionLost(deadlock())).isFalse();
        assertThat(GroupCommit.isTransient(deadlock())).isTrue();
        assertThat(GroupCommit.isConnectionLost(new SQLException("Data too long", "22001", 1406))).isFalse();
    }

    @Test
    void aBatchGivenUpOnThatHadCommittedDoesNotStopTheWriter() throws Exception {
        MemoryDb db = new MemoryDb();
        AtomicInteger calls = new AtomicInteger();
        try (var w = db.writer(calls, 0, null)) {
            CompletableFuture<String> first = new CompletableFuture<>();
            w.submit(first);
            assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("stored");
            // as if a later batch had committed after its writer gave up on it: the mark moved on alone
            db.marks.replaceAll((writer, seq) -> seq + 5);
            CompletableFuture<String> second = new CompletableFuture<>();
            w.submit(second);
            assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("stored");
        }
        assertThat(db.rows).hasSize(2);
    }
}
