package io.huibo.contacts;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.dispatch.DialGate;
import io.huibo.domain.CallFlow;
import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.PhoneNumber;
import io.huibo.store.DoNotCallStore;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DoNotCallGateTest {
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    private static Callback callback(String number) {
        return new Callback("01JEQ5X8M2K7R4T9V3W6Y8Z0AB", PhoneNumber.of(number), PhoneNumber.of("8001"), null, 5, 3,
                Map.of(), null, CallState.QUEUED, 0, NOW, NOW, NOW, CallFlow.CUSTOMER_FIRST, false);
    }

    @Test
    void aListedNumberEndsBlockedWithTheReasonAndOthersAreDialed() {
        List<String> asked = new ArrayList<>();
        DoNotCallGate gate = new DoNotCallGate(n -> {
            asked.add(n.value());
            return Future.succeededFuture(n.value().equals("+8613800138000")
                    ? Optional.of(new DoNotCallStore.Entry(n, "asked not to be called", NOW, "k1"))
                    : Optional.empty());
        });

        DialGate.Verdict listed = gate.check(callback("+8613800138000"), NOW).result();
        DialGate.Verdict other = gate.check(callback("+8613900139000"), NOW).result();

        assertThat(listed).isEqualTo(new DialGate.Verdict.End(CallState.BLOCKED,
                "on the do-not-call list: asked not to be called"));
        assertThat(other).isInstanceOf(DialGate.Verdict.Dial.class);
        // the number dialed (leg A) is what is looked up, every time: no copy to go stale
        assertThat(asked).containsExactly("+8613800138000", "+8613900139000");
    }

    @Test
    void withoutAReasonTheHistorySaysTheList() {
        DoNotCallGate gate = new DoNotCallGate(n -> Future.succeededFuture(
                Optional.of(new DoNotCallStore.Entry(n, null, NOW, null))));
        assertThat(gate.check(callback("+8613800138000"), NOW).result())
                .isEqualTo(new DialGate.Verdict.End(CallState.BLOCKED, "on the do-not-call list"));
    }

    @Test
    void aListThatCannotBeReadFailsTheCheckSoNothingIsDialed() {
        DoNotCallGate gate = new DoNotCallGate(n -> Future.failedFuture(new IllegalStateException("MariaDB down")));
        Future<DialGate.Verdict> v = gate.check(callback("+8613800138000"), NOW);
        assertThat(v.failed()).isTrue();
        assertThat(DialGate.all(List.of(gate)).check(callback("+8613800138000"), NOW).failed()).isTrue();
    }

    @Test
    void theExceptionIsFoundBehindWrappers() {
        DoNotCallException e = new DoNotCallException(PhoneNumber.of("+8613800138000"), "spam");
        assertThat(DoNotCallException.in(new RuntimeException(new java.util.concurrent.ExecutionException(e)))).isSameAs(e);
        assertThat(DoNotCallException.in(new RuntimeException("other"))).isNull();
        assertThat(DoNotCallException.in(null)).isNull();
        assertThat(e.getMessage()).isEqualTo("the number +8613800138000 is on the do-not-call list: spam");
    }
}
