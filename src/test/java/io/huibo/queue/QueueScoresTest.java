package io.huibo.queue;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import io.huibo.redis.RedisScripts;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class QueueScoresTest {

    private final Instant t = Instant.parse("2026-03-01T10:00:00.123Z");

    @Test
    void sameMillisecondKeepsEnqueueOrder() {
        assertThat(QueueScores.score(t, 1)).isLessThan(QueueScores.score(t, 2));
        assertThat(QueueScores.dueMillis(QueueScores.score(t, 4095))).isEqualTo(t.toEpochMilli());
    }

    @Test
    void anEarlierMillisecondAlwaysComesFirstWhateverTheSequence() {
        Instant later = t.plusMillis(1);
        assertThat(QueueScores.score(t, 4095)).isLessThan(QueueScores.score(later, 0));
        // the sequence wraps around 4096 instead of spilling into the next millisecond
        assertThat(QueueScores.score(t, 4096)).isEqualTo(QueueScores.score(t, 0));
    }

    @Test
    void maxDueScoreCoversTheWholeMillisecondAndNothingLater() {
        assertThat(QueueScores.maxDueScore(t)).isGreaterThanOrEqualTo(QueueScores.score(t, 4095));
        assertThat(QueueScores.maxDueScore(t)).isLessThan(QueueScores.score(t.plusMillis(1), 0));
    }

    @Test
    void scoresOfTodayAreExactAsLuaDoubles() {
        long s = QueueScores.score(t, 4095);
        assertThat(s).isLessThan(1L << 53);
        assertThat((long) (double) s).isEqualTo(s);
    }

    @Test
    void datesBeforeTheEpochAreSimplyDue() {
        assertThat(QueueScores.base(Instant.ofEpochMilli(-5000))).isZero();
    }

    @Test
    void parsesTheFlatClaimReply() {
        List<Object> flat = Arrays.asList("A", 9L, 17L, "", 0L, "B", 3L, 18L, "2|sim1|hb-B-2|1700000000000", 1L);
        List<Claim> claims = CallbackQueue.parseClaims(flat);
        assertThat(claims).containsExactly(
                new Claim("A", 9, 17, 0, null, null, null, false),
                new Claim("B", 3, 18, 2, "sim1", "hb-B-2", java.time.Instant.ofEpochMilli(1700000000000L), true));
        assertThat(claims.get(0).hasInflight()).isFalse();
        assertThat(claims.get(1).hasInflight()).isTrue();
    }

    @Test
    void messagesAreOneLineWithoutSecrets() {
        assertThat(RedisScripts.redact("redis://user:secret@127.0.0.1:6379/0")).isEqualTo("redis://127.0.0.1:6379/0");
        assertThat(RedisScripts.redact("redis://127.0.0.1:6379")).isEqualTo("redis://127.0.0.1:6379");
        Exception e = new RuntimeException("Unable to connect",
                new java.net.ConnectException("Connection refused: /127.0.0.1:6390"));
        assertThat(RedisScripts.oneLine(e)).isEqualTo("Connection refused");
    }
}
