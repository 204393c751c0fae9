package io.huibo.agi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgiReplyTest {

    @Test
    void parsesTheRepliesSeenFromAsterisk() {
        AgiReply ok = AgiReply.parse("200 result=1 (ok)");
        assertThat(ok.code()).isEqualTo(200);
        assertThat(ok.result()).isEqualTo(1);
        assertThat(ok.data()).isEqualTo("ok");
        assertThat(ok.endpos()).isEqualTo(-1);

        AgiReply chan = AgiReply.parse("200 result=1 (Local/100@callback-test-00000006;1-)");
        assertThat(chan.data()).isEqualTo("Local/100@callback-test-00000006;1-");

        AgiReply paren = AgiReply.parse("200 result=1 (a (b) c)");
        assertThat(paren.data()).isEqualTo("a (b) c");

        AgiReply stream = AgiReply.parse("200 result=0 endpos=3520");
        assertThat(stream.result()).isZero();
        assertThat(stream.data()).isNull();
        assertThat(stream.endpos()).isEqualTo(3520);

        AgiReply neg = AgiReply.parse("200 result=-1");
        assertThat(neg.result()).isEqualTo(-1);

        AgiReply unknown = AgiReply.parse("510 Invalid or unknown command");
        assertThat(unknown.code()).isEqualTo(510);
        assertThat(unknown.isSuccess()).isFalse();
        assertThat(unknown.text()).isEqualTo("Invalid or unknown command");

        AgiReply dead = AgiReply.parse("511 Command Not Permitted on a dead channel or intercept routine");
        assertThat(dead.isDeadChannel()).isTrue();
    }

    @Test
    void refusesLinesThatAreNotReplies() {
        for (String bad : List.of("", "HANGUP", "20 result=1", "2000 result=1", "abc", "200 result=", "200 result=x")) {
            assertThatThrownBy(() -> AgiReply.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void quotesAndVariableNames() {
        assertThat(AgiCommands.quote("a \"b\" \\c")).isEqualTo("\"a \\\"b\\\" \\\\c\"");
        assertThat(AgiCommands.quote("")).isEqualTo("\"\"");
        for (String bad : List.of("a\nb", "a\rb", "a\0b")) {
            assertThatThrownBy(() -> AgiCommands.quote(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(AgiCommands.variableName("HUIBO_DIAL")).isEqualTo("HUIBO_DIAL");
        assertThat(AgiCommands.variableName("CALLERID(num)")).isEqualTo("CALLERID(num)");
        for (String bad : List.of("", "A B", "A\"", "${X}", "A\nB", "X(a)(b)", "X(a", "(a)", "A\\B")) {
            assertThatThrownBy(() -> AgiCommands.variableName(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void setVariableHelperSendsTheQuotedForm() {
        FakeSession s = new FakeSession(FastAgiServer.toRequest(Map.of()));
        assertThat(s.setVariable("X", "say \"hi\"").succeeded()).isTrue();
        assertThat(s.setVariable("X", "two\nlines").failed()).isTrue();
        assertThat(s.verbose("hello", 1).succeeded()).isTrue();
        assertThat(s.commands).containsExactly("SET VARIABLE X \"say \\\"hi\\\"\"", "VERBOSE \"hello\" 1");
    }

    @Test
    void requestFromEnvironment() {
        AgiRequest r = FastAgiServer.toRequest(Map.of("agi_network_script", "/route?leg=a&x=%41+b&leg=b&flag",
                "agi_arg_1", "one", "agi_arg_2", "two", "agi_arg_4", "gap"));
        assertThat(r.script()).isEqualTo("route");
        assertThat(r.query()).containsExactlyInAnyOrderEntriesOf(Map.of("leg", "a", "x", "A b", "flag", ""));
        assertThat(r.args()).containsExactly("one", "two");
        assertThat(r.arg(3)).isNull();
        AgiRequest none = FastAgiServer.toRequest(Map.of());
        assertThat(none.script()).isEmpty();
        assertThat(none.query()).isEmpty();
    }
}
