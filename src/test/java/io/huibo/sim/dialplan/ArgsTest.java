package io.huibo.sim.dialplan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ArgsTest {
    @Test
    void splitsOutsideParenthesesBracketsAndQuotes() {
        assertThat(Args.split("a,b,c")).containsExactly("a", "b", "c");
        assertThat(Args.split("a,,")).containsExactly("a", "", "");
        assertThat(Args.split("PJSIP/1@t,30,U(huibo-answered^20261202/X-1)I"))
            .containsExactly("PJSIP/1@t", "30", "U(huibo-answered^20261202/X-1)I");
        assertThat(Args.split("huibo-agi,s,1(route?leg=a,ID,1)")).containsExactly("huibo-agi", "s", "1(route?leg=a,ID,1)");
        assertThat(Args.split("\"a,b\",c")).containsExactly("a,b", "c");
        assertThat(Args.split("a\\,b,c")).containsExactly("a,b", "c");
        assertThat(Args.split("x?DBdeltree(huibo/1):Set(a=1)", '?')).containsExactly("x", "DBdeltree(huibo/1):Set(a=1)");
        assertThat(Args.split("DBdeltree(a:b):Set(a=1)", ':')).containsExactly("DBdeltree(a:b)", "Set(a=1)");
        assertThat(Args.split("")).isEmpty();
    }

    @Test
    void applicationCalls() {
        assertThat(Args.call("DBdeltree(huibo/1)")).containsExactly("DBdeltree", "huibo/1");
        assertThat(Args.call("Hangup")).containsExactly("Hangup", "");
        assertThat(Args.call("Set(x=f(1))")).containsExactly("Set", "x=f(1)");
    }
}
