package io.huibo.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdentityTest {
    private static SimChannel channel(String type, String exten) {
        return new SimChannel(type + "/x-1", "1.1", "1.1", type, 6, "c", exten, 1);
    }

    @Test
    void whatADialPresents() {
        SimChannel local = channel("Local", "s");
        assertThat(Identity.presentedBy(local)).isEqualTo(new Identity("s", ""));
        local.callerIdNum = "+4930";
        assertThat(Identity.presentedBy(local)).isEqualTo(new Identity("+4930", ""));
        local.callerIdName = "Huibo";
        assertThat(Identity.presentedBy(local)).isEqualTo(new Identity("+4930", "Huibo"));
        assertThat(Identity.presentedBy(channel("PJSIP", "5000"))).isEqualTo(new Identity("anonymous", "Anonymous"));
    }

    @Test
    void connectedLineGoesThroughTheLocalPairToWhatTheOtherHalfIsBridgedTo() {
        SimChannel one = channel("Local", "s");
        SimChannel two = channel("Local", "s");
        SimChannel legA = channel("PJSIP", "s");
        one.localPartner = two;
        two.localPartner = one;
        two.bridgePeer = legA;
        legA.bridgePeer = two;
        Identity b = new Identity("2002", "");
        Identity.deliver(one, b);
        assertThat(one.connectedUpdates).containsExactly(b);
        assertThat(legA.connectedUpdates).containsExactly(b);
        assertThat(two.connectedUpdates).isEmpty();
    }
}
