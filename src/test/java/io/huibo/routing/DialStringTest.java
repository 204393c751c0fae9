package io.huibo.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.huibo.config.ConfigException;
import io.huibo.config.HuiboConfig;
import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.Leg;
import io.huibo.domain.PhoneNumber;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DialStringTest {

    /** Everything that would change what Dial() does if it got into HUIBO_DIAL. */
    static final List<String> INJECTION = List.of("&", ",", "/", "|", ";", "\r", "\n", " ", "\t", "$", "{", "}",
            "[", "]", "(", ")", "\"", "'", "\\", "\0", "^", "`", "*", "#", "?", "!", "<", ">", "%", "é");

    @Test
    void phoneNumberRefusesEveryInjectionCharacter() {
        for (String c : INJECTION) {
            for (String candidate : List.of("+4930123" + c + "456", "4930123456" + c, c + "4930123456",
                    "4930123456" + c + "PJSIP/evil@trunk")) {
                assertThat(PhoneNumber.isValid(candidate)).as("%s", candidate).isFalse();
                assertThatThrownBy(() -> PhoneNumber.of(candidate)).isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    @Test
    void templatesWithInjectionCharactersAreRefused() {
        for (String c : INJECTION) {
            if (c.equals("/")) {
                continue; // '/' is part of TECH/resource; tested below where it is misplaced
            }
            for (String t : List.of("PJSIP/{number}@trunk" + c, "PJSIP/{number}@tr" + c + "unk",
                    "PJ" + c + "SIP/{number}@trunk", "PJSIP/" + c + "{number}@trunk")) {
                assertThatThrownBy(() -> DialTemplate.parse(t)).as("%s", t).isInstanceOf(IllegalArgumentException.class);
            }
        }
        for (String t : List.of("PJSIP/{number}@trunk&PJSIP/{number}@other", "PJSIP/{number}@trunk,30",
                "PJSIP/{number}@trunk|30", "Local/{number}@ctx;2", "PJSIP/{number}@${EVIL}",
                "PJSIP/{number}@trunk\nHANGUP")) {
            assertThatThrownBy(() -> DialTemplate.parse(t)).as("%s", t).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void templateShapeIsChecked() {
        for (String t : List.of("", "PJSIP/trunk", "{number}", "/{number}@trunk", "{number}/PJSIP",
                "PJSIP/{number}@{number}", "1PJSIP/{number}", "PJSIP{number}@trunk",
                "PJSIP/" + "x".repeat(300) + "{number}")) {
            assertThatThrownBy(() -> DialTemplate.parse(t)).as("%s", t).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> DialTemplate.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void validTemplatesExpandOnlyAPhoneNumber() {
        assertThat(DialTemplate.parse("PJSIP/{number}@trunk").expand(PhoneNumber.of("+4930123456")).value())
                .isEqualTo("PJSIP/+4930123456@trunk");
        assertThat(DialTemplate.parse("SIP/trunk/{number}").expand(PhoneNumber.of("100")).value())
                .isEqualTo("SIP/trunk/100");
        assertThat(DialTemplate.parse("Local/{number}@outbound-calls/n").expand(PhoneNumber.of("0301234")).value())
                .isEqualTo("Local/0301234@outbound-calls/n");
        assertThat(DialTemplate.parse("PJSIP/trunk/sip:{number}@10.0.0.1:5060").expand(PhoneNumber.of("+4930123456")))
                .hasToString("PJSIP/trunk/sip:+4930123456@10.0.0.1:5060");
        assertThat(DialTemplate.parse("IAX2/provider_1/{number}").template()).isEqualTo("IAX2/provider_1/{number}");
    }

    @Test
    void staticRouterUsesNumberForLegAandDestinationForLegB() {
        StaticRouter r = StaticRouter.fromConfig(new HuiboConfig.Routing("PJSIP/{number}@trunk", "PJSIP/{number}@agents"));
        Instant now = Instant.now();
        Callback cb = new Callback("01KABCDEFGHJKMNPQRSTVWXYZ0", PhoneNumber.of("+4930111111"), PhoneNumber.of("200"),
                null, 0, 3, Map.of(), null, CallState.DIALING, 1, now, now, now);
        assertThat(r.route(Leg.A, cb)).extracting(DialString::value).containsExactly("PJSIP/+4930111111@trunk");
        assertThat(r.route(Leg.B, cb)).extracting(DialString::value).containsExactly("PJSIP/200@agents");
    }

    @Test
    void badConfigStopsStartupWithOneLine() {
        assertThatThrownBy(() -> StaticRouter.fromConfig(new HuiboConfig.Routing("PJSIP/{number}@trunk", "PJSIP/x&y/{number}")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("routing.legB: ")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> StaticRouter.fromConfig(new HuiboConfig.Routing("PJSIP/trunk", "PJSIP/{number}@trunk")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("routing.legA")
                .hasMessageContaining("{number}");
    }
}
