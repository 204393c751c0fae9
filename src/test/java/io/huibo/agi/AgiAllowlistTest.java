package io.huibo.agi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class AgiAllowlistTest {

    @Test
    void cidrAndExactRules() {
        AgiAllowlist a = AgiAllowlist.of(List.of("10.1.2.0/24", "192.168.5.7", "2001:db8::1"), false);
        assertThat(a.allows("10.1.2.0")).isTrue();
        assertThat(a.allows("10.1.2.255")).isTrue();
        assertThat(a.allows("10.1.3.1")).isFalse();
        assertThat(a.allows("192.168.5.7")).isTrue();
        assertThat(a.allows("192.168.5.8")).isFalse();
        assertThat(a.allows("::ffff:10.1.2.9")).isTrue();
        assertThat(a.allows("2001:db8:0:0:0:0:0:1")).isTrue();
        assertThat(a.allows("2001:db8::2")).isFalse();
        assertThat(a.allows("127.0.0.1")).isFalse();
        assertThat(a.allows("::1")).isFalse();
        assertThat(a.allows(null)).isFalse();
        assertThat(a.allows("localhost")).isFalse(); // names are never resolved per connection
        assertThat(a.allows("255.255.255.255")).isFalse();
    }

    @Test
    void defaultIsLoopbackPlusNodes() {
        AgiAllowlist a = AgiAllowlist.fromConfig(List.of(), List.of("10.0.0.9"));
        assertThat(a.allows("127.0.0.1")).isTrue();
        assertThat(a.allows("127.8.9.10")).isTrue();
        assertThat(a.allows("::1")).isTrue();
        assertThat(a.allows("10.0.0.9")).isTrue();
        assertThat(a.allows("10.0.0.10")).isFalse();
        AgiAllowlist explicit = AgiAllowlist.fromConfig(List.of("10.0.0.0/8"), List.of("192.168.1.1"));
        assertThat(explicit.allows("127.0.0.1")).isFalse();
        assertThat(explicit.allows("192.168.1.1")).isFalse();
        assertThat(explicit.allows("10.200.0.1")).isTrue();
        assertThat(AgiAllowlist.of(List.of("0.0.0.0/0"), false).allows("8.8.8.8")).isTrue();
    }

    @Test
    void badRulesAreRefused() {
        for (String bad : List.of("10.0.0.0/33", "10.0.0/8", "300.1.1.1/8", "10.0.0.0/x", "no.such.host.invalid")) {
            assertThatThrownBy(() -> AgiAllowlist.of(List.of(bad), false)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(AgiAllowlist.parseIpv4("1.2.3.4")).isEqualTo(0x01020304L);
        assertThat(AgiAllowlist.parseIpv4("1.2.3")).isEqualTo(-1);
        assertThat(AgiAllowlist.parseIpv4("1.2.3.4.5")).isEqualTo(-1);
        assertThat(AgiAllowlist.parseIpv4("1..3.4")).isEqualTo(-1);
        assertThat(AgiAllowlist.parseIpv4("0001.2.3.4")).isEqualTo(-1);
    }
}
