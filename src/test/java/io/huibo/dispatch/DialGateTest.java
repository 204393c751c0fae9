package io.huibo.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.CallbackIds;
import io.huibo.domain.PhoneNumber;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DialGateTest {
    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
    private static final Callback CB = new Callback(CallbackIds.next(), PhoneNumber.e164("+8613800138000"),
            PhoneNumber.of("100"), null, 0, 3, null, null, CallState.QUEUED, 0, NOW, NOW, NOW);

    @Test
    void theFirstGateThatHoldsTheCallbackBackDecidesAndTheRestAreNotAsked() {
        List<String> asked = new ArrayList<>();
        DialGate.Verdict wait = new DialGate.Verdict.Wait(NOW.plusSeconds(60), "quiet hours");
        DialGate gate = DialGate.all(List.of(
                (cb, now) -> { asked.add("first"); return Future.succeededFuture(DialGate.DIAL); },
                (cb, now) -> { asked.add("second"); return Future.succeededFuture(wait); },
                (cb, now) -> { asked.add("third"); return Future.succeededFuture(DialGate.DIAL); }));
        assertThat(gate.check(CB, NOW).result()).isEqualTo(wait);
        assertThat(asked).containsExactly("first", "second");
    }

    @Test
    void noGatesOrOnlyOpenOnesDial() {
        assertThat(DialGate.all(List.of()).check(CB, NOW).result()).isInstanceOf(DialGate.Verdict.Dial.class);
        assertThat(DialGate.all(List.of(DialGate.open(), DialGate.open())).check(CB, NOW).result())
                .isInstanceOf(DialGate.Verdict.Dial.class);
    }

    @Test
    void aGateThatCannotAnswerFailsTheCheckRatherThanLettingTheCallThrough() {
        DialGate gate = DialGate.all(List.of((cb, now) -> Future.failedFuture(new IllegalStateException("down")),
                DialGate.open()));
        assertThat(gate.check(CB, NOW).failed()).isTrue();
    }

    @Test
    void anEndNeedsAFinalState() {
        assertThatThrownBy(() -> new DialGate.Verdict.End(CallState.QUEUED, "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new DialGate.Verdict.End(CallState.BLOCKED, "do-not-call").state()).isEqualTo(CallState.BLOCKED);
    }
}
