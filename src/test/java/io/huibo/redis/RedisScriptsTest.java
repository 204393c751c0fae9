package io.huibo.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.huibo.Stack;
import io.huibo.queue.QueueUnavailableException;
import org.junit.jupiter.api.Test;

/** What an operator sees of a {@code redis-sentinel://} URI: never its password, one line when it fails. */
class RedisScriptsTest {

    @Test
    void aSentinelUriIsShownWithoutItsPassword() {
        assertThat(RedisScripts.redact("redis-sentinel://s3cret@10.0.0.1:26379,10.0.0.2:26379/2#huibo"))
                .isEqualTo("redis-sentinel://10.0.0.1:26379,10.0.0.2:26379/2#huibo");
        assertThat(RedisScripts.redact("redis-sentinel://:s3cret@10.0.0.1:26379#huibo"))
                .isEqualTo("redis-sentinel://10.0.0.1:26379#huibo");
        assertThat(RedisScripts.redact("redis-sentinel://10.0.0.1:26379#huibo"))
                .isEqualTo("redis-sentinel://10.0.0.1:26379#huibo");
    }

    @Test
    void noSentinelAnsweringIsOneLineWithoutThePassword() throws Exception {
        // nothing listens on these loopback ports
        String uri = "redis-sentinel://s3cret@127.0.0.1:" + Stack.freePort() + ",127.0.0.1:" + Stack.freePort()
                + "#huibo";
        assertThatThrownBy(() -> RedisScripts.connect(uri, "huibo"))
                .isInstanceOf(QueueUnavailableException.class)
                .satisfies(e -> assertThat(e.getMessage()).startsWith("Redis unreachable at redis-sentinel://127.0.0.1:")
                        .doesNotContain("s3cret").doesNotContain("\n"));
    }
}
