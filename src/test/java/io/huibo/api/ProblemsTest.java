package io.huibo.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.queue.QueueUnavailableException;
import io.huibo.store.StoreUnavailableException;
import io.lettuce.core.RedisCommandTimeoutException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ProblemsTest {

    @Test
    void aStoreThatDidNotAnswerIsAServiceUnavailableEvenWhenWrapped() {
        assertThat(Problems.storeDown(new SQLTransientConnectionException("pool timeout"))).isTrue();
        assertThat(Problems.storeDown(new CompletionException(new SQLNonTransientConnectionException("gone")))).isTrue();
        assertThat(Problems.storeDown(new RuntimeException(new SQLException("socket", "08S01")))).isTrue();
        assertThat(Problems.storeDown(new RedisCommandTimeoutException("timeout"))).isTrue();
        assertThat(Problems.storeDown(new StoreUnavailableException("MariaDB unreachable", null))).isTrue();
        assertThat(Problems.storeDown(new QueueUnavailableException("Redis unreachable", null))).isTrue();
    }

    @Test
    void aBugIsNotDisguisedAsAnOutage() {
        assertThat(Problems.storeDown(new SQLSyntaxErrorException("bad sql", "42000"))).isFalse();
        assertThat(Problems.storeDown(new NullPointerException())).isFalse();
        assertThat(Problems.storeDown(new IllegalStateException("x", new IllegalArgumentException()))).isFalse();
        assertThat(Problems.storeDown((Throwable) null)).isFalse();
    }
}
