package io.huibo.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.huibo.config.HuiboConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrunkAllowlistTest {

    private static DialTarget target(String template) {
        return DialTarget.of(DialTemplate.parse(template));
    }

    @Test
    void aTemplateIsReadAsTechnologyEndpointHostAndContext() {
        assertThat(target("PJSIP/{number}@carrier1")).isEqualTo(new DialTarget("PJSIP", "carrier1", null, null));
        assertThat(target("PJSIP/00{number}@carrier1")).isEqualTo(new DialTarget("PJSIP", "carrier1", null, null));
        assertThat(target("SIP/carrier2/{number}")).isEqualTo(new DialTarget("SIP", "carrier2", null, null));
        assertThat(target("SIP/{number}@10.0.0.7:5060")).isEqualTo(new DialTarget("SIP", "10.0.0.7", null, null));
        assertThat(target("IAX2/user:secret@peer1/{number}")).isEqualTo(new DialTarget("IAX2", "peer1", null, null));
        assertThat(target("PJSIP/trunk/sip:{number}@10.0.0.1:5060"))
                .isEqualTo(new DialTarget("PJSIP", "trunk", "10.0.0.1", null));
        assertThat(target("Local/{number}@outbound/n")).isEqualTo(new DialTarget("Local", null, null, "outbound"));
        assertThat(target("local/{number}@outbound").local()).isTrue();
    }

    @Test
    void aTemplateWhoseNumberWouldChooseTheEndpointOrContextCannotBeRead() {
        for (String t : List.of("PJSIP/{number}", "SIP/{number}", "PJSIP/{number}@", "Local/{number}",
                "Local/100@{number}", "PJSIP/trunk/sip:100@{number}", "PJSIP/trunk/{number}",
                "PJSIP/trunk/sip:{number}")) {
            assertThatThrownBy(() -> target(t)).as(t).isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static TrunkAllowlist allowlist(List<String> techs, List<String> endpoints, List<String> contexts) {
        return TrunkAllowlist.from(new HuiboConfig.TrunkPolicy(techs, endpoints, contexts),
                new HuiboConfig.Routing("PJSIP/{number}@trunk", "PJSIP/{number}@agents,Local/{number}@agents-ctx"));
    }

    private static String refusal(TrunkAllowlist a, String template) {
        try {
            a.check(DialTemplate.parse(template));
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    @Test
    void byDefaultOnlyWhatTheStaticRoutesNameIsAllowed() {
        HuiboConfig.TrunkPolicy d = HuiboConfig.TrunkPolicy.defaults();
        TrunkAllowlist a = allowlist(d.technologies(), d.endpoints(), d.contexts());
        assertThat(refusal(a, "PJSIP/{number}@trunk")).isNull();
        assertThat(refusal(a, "PJSIP/+{number}@agents")).isNull();
        assertThat(refusal(a, "Local/{number}@agents-ctx/n")).isNull();
        assertThat(refusal(a, "PJSIP/{number}@evil")).isEqualTo("endpoint 'evil' is not in trunkPolicy.endpoints"
                + " (trunk, agents)");
        assertThat(refusal(a, "SIP/{number}@trunk")).startsWith("technology 'SIP' is not in trunkPolicy.technologies");
        assertThat(refusal(a, "Local/{number}@from-internal")).startsWith("context 'from-internal' is not in"
                + " trunkPolicy.contexts");
        // the endpoint is allowed, the host of the URI dialed through it is not
        assertThat(refusal(a, "PJSIP/trunk/sip:{number}@203.0.113.9")).startsWith("host '203.0.113.9' is not in");
        assertThat(refusal(a, "PJSIP/{number}")).startsWith("the endpoint may not contain {number}");
    }

    @Test
    void listedNamesAndPatternsAreAllowedAndNamesAreCaseSensitive() {
        TrunkAllowlist a = allowlist(List.of("pjsip", "SIP"), List.of("carrier-*", "*.sip.example.net", "10.0.0.1"),
                List.of("outbound"));
        assertThat(refusal(a, "PJSIP/{number}@carrier-1")).isNull();
        assertThat(refusal(a, "SIP/carrier-east/{number}")).isNull();
        assertThat(refusal(a, "SIP/{number}@gw.sip.example.net")).isNull();
        assertThat(refusal(a, "PJSIP/carrier-1/sip:{number}@10.0.0.1:5060")).isNull();
        assertThat(refusal(a, "Local/{number}@outbound")).isNull();
        assertThat(refusal(a, "PJSIP/{number}@Carrier-1")).startsWith("endpoint 'Carrier-1'");
        assertThat(refusal(a, "SIP/{number}@sip.example.net.evil.org")).startsWith("endpoint 'sip.example.net.evil.org'");
        assertThat(refusal(a, "PJSIP/carrier-1/sip:{number}@10.0.0.10")).startsWith("host '10.0.0.10'");
        assertThat(refusal(a, "IAX2/carrier-1/{number}")).startsWith("technology 'IAX2'");
        assertThat(refusal(a, "Local/{number}@outbound-evil")).startsWith("context 'outbound-evil'");
    }

    @Test
    void anyAllowsEverythingTheTemplateAllows() {
        assertThat(TrunkAllowlist.ANY.allows(DialTemplate.parse("IAX2/{number}"))).isTrue();
    }
}
