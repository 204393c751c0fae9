package io.huibo.sim.dialplan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DialplanParserTest {
    static final Capabilities CAPS = new Capabilities() {
        private final Set<String> apps = Set.of("set", "goto", "gotoif", "gosub", "return", "execif", "dial", "hangup",
            "noop", "dbdeltree");

        @Override
        public boolean hasApp(String name) {
            return apps.contains(name.toLowerCase());
        }

        @Override
        public boolean hasFunction(String name) {
            return Set.of("DB", "DB_EXISTS", "LOCAL", "CALLERID").contains(name);
        }

        @Override
        public boolean hasDialOption(char option) {
            return option == 'U' || option == 'I';
        }
    };

    static Dialplan parse(String text) {
        return DialplanParser.parse(text, "test.conf", CAPS);
    }

    @Test
    void contextsExtensionsPrioritiesLabelsAndGlobals() {
        Dialplan d = parse("""
            [globals]
            HUIBO_DIALIN_AGI=127.0.0.1:4573   ; a comment
            [ctx]   ; the context
            exten => s,1,NoOp(first)
             same => n(two),Set(A=b\\;c)   ; escaped semicolon
             same => n,Goto(two)
            exten => _X.,1,NoOp(${EXTEN})
            exten => h,1,Hangup()
            exten => s,10,NoOp(ten)
            """);
        assertThat(d.globals()).containsEntry("HUIBO_DIALIN_AGI", "127.0.0.1:4573");
        assertThat(d.priority("ctx", "s", 2)).get().satisfies(p -> {
            assertThat(p.label()).isEqualTo("two");
            assertThat(p.app()).isEqualTo("Set");
            assertThat(p.data()).isEqualTo("A=b;c");
            assertThat(p.line()).isEqualTo(5);
        });
        assertThat(d.priority("ctx", "s", 3).get().data()).isEqualTo("two");
        assertThat(d.priority("ctx", "s", 10)).isPresent();
        assertThat(d.priority("ctx", "5000", 1).get().data()).isEqualTo("${EXTEN}");
        assertThat(d.extension("ctx", "h")).isPresent();
        assertThat(d.extension("ctx", "x")).isEmpty();
        assertThat(d.extension("other", "s")).isEmpty();
        assertThat(d.extension("ctx", "s").get().label("two").get().number()).isEqualTo(2);
    }

    @Test
    void applicationWithoutParentheses() {
        assertThat(parse("[c]\nexten => s,1,Hangup\n").priority("c", "s", 1).get().app()).isEqualTo("Hangup");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "[c]\\nexten => s,1,Frobnicate(x)|test.conf:2: unknown application 'Frobnicate'",
        "[c]\\nexten => s,1,NoOp(${NOPE(x)})|test.conf:2: unknown function 'NOPE'",
        "[c]\\nexten => s,1,Set(NOPE(x)=1)|test.conf:2: unknown function 'NOPE'",
        "[c]\\nexten => s,1,ExecIf($[1]?Frob(x))|test.conf:2: unknown application 'Frob'",
        "[c]\\nexten => s,1,Dial(PJSIP/1,30,gU(c^x))|test.conf:2: Dial option 'g' is not supported",
        "[c]\\n\\nexten => s,1,GotoIf($[1 +]?x)|test.conf:3: expression $[1 +]",
        "[c]\\nexten => s,1,NoOp(${A)|test.conf:2: unclosed ${",
        "[c]\\nexten => s,1,GotoIf($[1]?nowhere)|test.conf:2: GotoIf to unknown priority or label 'nowhere'",
        "[c]\\nexten => s,1,Gosub(sub,s,1(a))|test.conf:2: Gosub to unknown context 'sub'",
        "[c]\\nexten => s,1,Goto(c,x,1)|test.conf:2: Goto to unknown extension 'x@c'",
        "[c]\\nexten => s,1,NoOp()\\n same => 1,NoOp()|test.conf:3: priority 1 of 's' defined twice",
        "[c]\\n same => n,NoOp()|test.conf:2: 'same =>' without an extension",
        "exten => s,1,NoOp()|test.conf:1: line outside any [context]",
        "[c]\\nexten => s,x,NoOp()|test.conf:2: bad priority 'x'",
        "[c]\\nexten => _X[,1,NoOp()|test.conf:2: bad extension pattern '_X['",
        "[c]\\n#include other.conf|test.conf:2: '#include other.conf' is not supported",
        "[c]\\nexten => s,1,Set(A=b)\\ninclude => d|test.conf:3: cannot parse 'include => d'",
    })
    void refusesWithFileAndLine(String text, String message) {
        assertThatThrownBy(() -> parse(text.replace("\\n", "\n"))).isInstanceOf(DialplanException.class)
            .hasMessageStartingWith(message);
    }
}
