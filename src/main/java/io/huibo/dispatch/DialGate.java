package io.huibo.dispatch;

import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Asked before each attempt of a claimed, queued callback: dial it now, put it back until later, or
 * end it without dialing. Calling policy (windows, quiet hours) and guards (do-not-call list, limits)
 * are gates; the dispatcher knows none of them. A gate whose answer cannot be had (its store is down)
 * fails the future: the callback goes back to the queue undialed.
 */
@FunctionalInterface
public interface DialGate {

    Future<Verdict> check(Callback cb, Instant now);

    sealed interface Verdict {
        /** Nothing holds it back. */
        record Dial() implements Verdict {
        }

        /** Not before {@code until}; it stays queued, due then. */
        record Wait(Instant until, String reason) implements Verdict {
            public Wait {
                Objects.requireNonNull(until);
            }
        }

        /** Never: the callback ends in {@code state} (a final state) with {@code reason} in its history. */
        record End(CallState state, String reason) implements Verdict {
            public End {
                if (!state.isFinal()) {
                    throw new IllegalArgumentException("not a final state: " + state);
                }
            }
        }
    }

    Verdict DIAL = new Verdict.Dial();

    static DialGate open() {
        return (cb, now) -> Future.succeededFuture(DIAL);
    }

    /** The gates in order; the first that does not say {@link Verdict.Dial} decides. */
    static DialGate all(List<DialGate> gates) {
        List<DialGate> list = List.copyOf(gates);
        return (cb, now) -> next(list, 0, cb, now);
    }

    private static Future<Verdict> next(List<DialGate> gates, int i, Callback cb, Instant now) {
        if (i == gates.size()) {
            return Future.succeededFuture(DIAL);
        }
        return gates.get(i).check(cb, now)
                .compose(v -> v instanceof Verdict.Dial ? next(gates, i + 1, cb, now) : Future.succeededFuture(v));
    }
}
