package io.huibo.store;

import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GroupCommitTest {

    /** A connection on which the transaction calls succeed; the writer decides what fails. */
    private static final DataSource DATA_SOURCE = new DataSource() {
        @Override
        public Connection getConnection() {
            return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Connection.class},
                    (proxy, method, args) -> method.getReturnType() == boolean.class ? false : null);
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
    };

    private static SQLException deadlock() {
        return new SQLTransactionRollbackException("Deadlock found when trying to get lock", "40001", 1213);
    }

    private static GroupCommit<CompletableFuture<String>> writer(AtomicInteger calls, int failures, SQLException error) {
        return new GroupCommit<>("test-writer", DATA_SOURCE, 1, 10, (c, batch) -> {
            if (calls.incrementAndGet() <= failures) {
                throw error;
            }
            return () -> batch.forEach(f -> f.complete("stored"));
        }, f -> f);
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
}
