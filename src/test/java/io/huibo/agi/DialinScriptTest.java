package io.huibo.agi;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.service.DialinHook;
import io.huibo.service.DialinResult;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DialinScriptTest {

    private final List<String> calls = new ArrayList<>();
    private final List<String> accessed = new ArrayList<>();
    private DialinResult next = DialinResult.queued("X");
    private final DialinHook hook = new DialinHook() {
        @Override
        public boolean accessAllowed(String dialed) {
            accessed.add(dialed);
            return !"6666".equals(dialed);
        }

        @Override
        public Future<DialinResult> call(String callerId) {
            calls.add("call " + callerId);
            return Future.succeededFuture(next);
        }

        @Override
        public Future<DialinResult> pin(String callerId, String pin) {
            calls.add("pin " + callerId + " " + pin);
            return Future.succeededFuture(next);
        }

        @Override
        public Future<DialinResult> destination(String callerId, String digits, String pin) {
            calls.add("destination " + callerId + " " + digits + " " + pin);
            return Future.succeededFuture(next);
        }
    };
    private final DialinScript script = new DialinScript(hook);

    static AgiRequest dialin(String query, String callerId, String... args) {
        Map<String, String> env = new HashMap<>();
        env.put("agi_network_script", "dialin?" + query);
        env.put("agi_channel", "PJSIP/alice-00000001");
        if (callerId != null) {
            env.put("agi_callerid", callerId);
        }
        for (int i = 0; i < args.length; i++) {
            env.put("agi_arg_" + (i + 1), args[i]);
        }
        return FastAgiServer.toRequest(env);
    }

    @Test
    void eachStepGoesToItsHookWithTheChannelsCallerId() {
        assertThat(RouteScriptTest.run(script, dialin("access=5000", "+4930111111")).commands)
                .containsExactly("SET VARIABLE HUIBO_RESULT \"queued\"");
        next = DialinResult.ask(DialinResult.Kind.PIN);
        assertThat(RouteScriptTest.run(script, dialin("access=5000&step=pin", "+4930111111", "1234")).commands)
                .containsExactly("SET VARIABLE HUIBO_RESULT \"pin\"");
        next = DialinResult.ask(DialinResult.Kind.COLLECT);
        assertThat(RouteScriptTest.run(script, dialin("access=5000&step=destination", "1001", "0301234", "")).commands)
                .containsExactly("GET VARIABLE HUIBO_PIN", "SET VARIABLE HUIBO_RESULT \"collect\"");
        assertThat(calls).containsExactly("call +4930111111", "pin +4930111111 1234", "destination 1001 0301234 null");
    }

    /** The shipped dialplan passes no PIN argument (Asterisk would log it): it is read from the channel. */
    @Test
    void thePinIsReadFromTheChannelNotFromAnArgument() {
        next = DialinResult.ask(DialinResult.Kind.COLLECT);
        FakeSession s = new FakeSession(dialin("access=5000&step=pin", "+4930111111"));
        s.replies = c -> AgiReply.parse(c.equals("GET VARIABLE HUIBO_PIN") ? "200 result=1 (2468)" : "200 result=1");
        assertThat(script.run(s).succeeded()).isTrue();
        assertThat(s.commands).containsExactly("GET VARIABLE HUIBO_PIN", "SET VARIABLE HUIBO_RESULT \"collect\"");

        next = DialinResult.queued("X");
        FakeSession d = new FakeSession(dialin("access=5000&step=destination", "+4930111111", "0301234"));
        d.replies = s.replies;
        assertThat(script.run(d).succeeded()).isTrue();
        assertThat(d.commands).containsExactly("GET VARIABLE HUIBO_PIN", "SET VARIABLE HUIBO_RESULT \"queued\"");

        // no PIN read (HUIBO_PIN unset: 200 result=0): the hook gets none and decides
        FakeSession none = new FakeSession(dialin("access=5000&step=pin", "+4930111111"));
        none.replies = c -> AgiReply.parse(c.startsWith("GET") ? "200 result=0" : "200 result=1");
        assertThat(script.run(none).succeeded()).isTrue();
        assertThat(calls).containsExactly("pin +4930111111 2468", "destination +4930111111 0301234 2468",
                "pin +4930111111 null");
    }

    @Test
    void refusalsSayWhyInHuiboError() {
        next = DialinResult.refused("unknown-caller");
        assertThat(RouteScriptTest.run(script, dialin("access=5000", "unknown")).commands).containsExactly(
                "SET VARIABLE HUIBO_RESULT \"refused\"", "SET VARIABLE HUIBO_ERROR \"unknown-caller\"");
        assertThat(RouteScriptTest.run(script, dialin("access=5000&step=other", "1001")).commands).containsExactly(
                "SET VARIABLE HUIBO_RESULT \"refused\"", "SET VARIABLE HUIBO_ERROR \"bad-step\"");
        DialinScript failing = new DialinScript(new DialinHook() {
            @Override
            public boolean accessAllowed(String dialed) {
                return true;
            }

            @Override
            public Future<DialinResult> call(String c) {
                return Future.failedFuture(new RuntimeException("db down"));
            }

            @Override
            public Future<DialinResult> pin(String c, String p) {
                throw new IllegalStateException("boom");
            }

            @Override
            public Future<DialinResult> destination(String c, String d, String p) {
                return Future.succeededFuture(null);
            }
        });
        for (String q : List.of("access=1", "access=1&step=pin", "access=1&step=destination")) {
            // a step reads HUIBO_PIN first
            assertThat(RouteScriptTest.run(failing, dialin(q, "1001")).commands).as(q).endsWith(
                    "SET VARIABLE HUIBO_RESULT \"refused\"", "SET VARIABLE HUIBO_ERROR \"hook-failed\"");
        }
        assertThat(failing.count(DialinResult.Kind.REFUSED)).isEqualTo(3);
    }

    /** The access number is the extension Asterisk runs [huibo-dialin] in; the argument only for older dialplans. */
    @Test
    void everyStepIsRefusedOnANumberThatIsNotAnAccessNumber() {
        for (String q : List.of("access=5000", "access=5000&step=pin", "access=5000&step=destination")) {
            Map<String, String> env = new HashMap<>();
            env.put("agi_network_script", "dialin?" + q);
            env.put("agi_callerid", "+4930111111");
            env.put("agi_extension", "6666");
            assertThat(RouteScriptTest.run(script, FastAgiServer.toRequest(env)).commands).as(q).containsExactly(
                    "SET VARIABLE HUIBO_RESULT \"refused\"", "SET VARIABLE HUIBO_ERROR \"access-number\"");
        }
        assertThat(calls).as("no step reached the hook").isEmpty();
        assertThat(accessed).containsExactly("6666", "6666", "6666");

        // without agi_extension (or with "s") the argument names it
        assertThat(RouteScriptTest.run(script, dialin("access=6666", "+4930111111")).commands)
                .contains("SET VARIABLE HUIBO_ERROR \"access-number\"");
        assertThat(accessed).endsWith("6666");
        assertThat(calls).isEmpty();
    }
}
