package io.huibo.dispatch;

import io.huibo.config.HuiboConfig;
import io.huibo.domain.Callback;
import io.huibo.domain.Outcome;
import java.time.Duration;
import java.time.Instant;

/** What happens to a callback after one of its attempts ended. Pure. */
public final class RetryPolicy {

    public sealed interface Decision {
        record Complete() implements Decision {
        }

        record Retry(Instant at) implements Decision {
        }

        record GiveUp() implements Decision {
        }
    }

    private final Duration busy;
    private final Duration noAnswer;
    private final Duration congestion;
    private final Duration failed;

    public RetryPolicy(Duration busy, Duration noAnswer, Duration congestion, Duration failed) {
        this.busy = busy;
        this.noAnswer = noAnswer;
        this.congestion = congestion;
        this.failed = failed;
    }

    public static RetryPolicy from(HuiboConfig.Dispatch d) {
        return new RetryPolicy(d.retryBusy(), d.retryNoAnswer(), d.retryCongestion(), d.retryFailed());
    }

    /**
     * @param attemptsMade attempts including the one that just ended
     */
    public Decision decide(Callback cb, int attemptsMade, Outcome outcome, Instant now) {
        if (outcome.isSuccess()) {
            return new Decision.Complete();
        }
        if (attemptsMade >= cb.maxAttempts()) {
            return new Decision.GiveUp();
        }
        return new Decision.Retry(now.plus(delay(outcome)));
    }

    public Duration delay(Outcome outcome) {
        return switch (outcome) {
            case BUSY -> busy;
            case NO_ANSWER -> noAnswer;
            case CONGESTION -> congestion;
            case FAILED, CONNECTED -> failed;
        };
    }
}
