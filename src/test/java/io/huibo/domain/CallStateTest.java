package io.huibo.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CallStateTest {

    @Test
    void finalStatesGoNowhere() {
        for (CallState s : CallState.values()) {
            assertThat(s.isFinal()).isEqualTo(s.next().isEmpty());
        }
    }

    @Test
    void aCallbackBeingDialedCannotBeCancelled() {
        assertThat(CallState.QUEUED.canMoveTo(CallState.CANCELLED)).isTrue();
        assertThat(CallState.DIALING.canMoveTo(CallState.CANCELLED)).isFalse();
        assertThat(CallState.DIALING.canMoveTo(CallState.QUEUED)).isTrue();
        assertThat(CallState.COMPLETED.canMoveTo(CallState.QUEUED)).isFalse();
    }

    @Test
    void callbackRefusesAForbiddenTransition() {
        Instant now = Instant.parse("2026-11-25T10:00:00Z");
        Callback cb = new Callback(CallbackIds.next(), PhoneNumber.e164("+8613800138000"), PhoneNumber.of("100"),
                null, 0, 3, null, null, CallState.QUEUED, 0, now, now, now);
        Callback dialing = cb.withState(CallState.DIALING, now);
        assertThat(dialing.state()).isEqualTo(CallState.DIALING);
        assertThat(dialing.flow()).isEqualTo(CallFlow.CUSTOMER_FIRST);
        assertThatThrownBy(() -> dialing.withState(CallState.CANCELLED, now)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void wireNamesRoundTrip() {
        for (CallState s : CallState.values()) {
            assertThat(CallState.fromWire(s.wire())).isEqualTo(s);
        }
        for (CallFlow f : CallFlow.values()) {
            assertThat(CallFlow.fromWire(f.wire())).isEqualTo(f);
        }
    }

    @Test
    void agentFirstSwapsTheLegs() {
        Instant now = Instant.now();
        Callback cb = new Callback(CallbackIds.next(), PhoneNumber.e164("+8613800138000"), PhoneNumber.of("2001"),
                null, 0, 3, null, null, CallState.QUEUED, 0, now, now, now, CallFlow.AGENT_FIRST, false);
        assertThat(cb.numberFor(Leg.A).value()).isEqualTo("2001");
        assertThat(cb.numberFor(Leg.B).value()).isEqualTo("+8613800138000");
    }
}
