package io.huibo.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.huibo.Stack;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** eventfilter semantics of Asterisk's manager.c and the POSIX regex dialect they are written in. */
class SimEventFilterTest {
    private static final String HANGUP = AmiMessage.event("Hangup", "call,all").add("Channel", "Local/s@x-1;1")
        .add("Cause", 16).encode();
    private static final String HANGUP_REQUEST = AmiMessage.event("HangupRequest", "call,all")
        .add("Channel", "Local/s@x-1;1").add("Cause", 16).encode();
    private static final String VARSET = AmiMessage.event("VarSet", "dialplan,all").add("Channel", "PJSIP/trunk-1")
        .add("Variable", "DIALSTATUS").add("Value", "BUSY").encode();

    private static EventFilter filter(String... lines) {
        return EventFilter.of(List.of(lines), null);
    }

    @Test
    void noFilterPassesEverything() {
        assertThat(EventFilter.NONE.passes(VARSET)).isTrue();
        assertThat(filter().passes(HANGUP)).isTrue();
    }

    @Test
    void includesOnlyOneMustMatch() {
        EventFilter f = filter("Event: Hangup[[:space:]]", "Event: VarSet");
        assertThat(f.passes(HANGUP)).isTrue();
        assertThat(f.passes(VARSET)).isTrue();
        assertThat(f.passes(HANGUP_REQUEST)).isFalse();
    }

    @Test
    void excludesOnlyNoneMayMatch() {
        EventFilter f = filter("!Event: VarSet", "!Privilege: dialplan");
        assertThat(f.passes(HANGUP)).isTrue();
        assertThat(f.passes(VARSET)).isFalse();
    }

    @Test
    void bothAnIncludeAndNoExclude() {
        EventFilter f = filter("Event: Hangup", "!Event: HangupRequest");
        assertThat(f.passes(HANGUP)).isTrue();
        assertThat(f.passes(HANGUP_REQUEST)).isFalse(); // included by the prefix, excluded after
        assertThat(f.passes(VARSET)).isFalse();          // no include matches
    }

    @Test
    void theWholeTextIsSearchedNotOnlyTheEventLine() {
        assertThat(filter("Value: BUSY").passes(VARSET)).isTrue();
        assertThat(filter("^Channel: ").passes(VARSET)).isFalse(); // ^ is the start of the text only
        // $ is the very end, after the blank line; Java's $ would also match before the last CRLF
        assertThat(filter("BUSY[[:space:]]{2}$").passes(VARSET)).isFalse();
        assertThat(filter("BUSY[[:space:]]{4}$").passes(VARSET)).isTrue();
        assertThat(filter("Value: BUSY.*Event").passes(VARSET + HANGUP)).isTrue(); // '.' crosses lines
    }

    @Test
    void theShippedFilterPassesWhatHuiboReads() throws IOException {
        EventFilter f = EventFilter.load(Stack.MANAGER_CONF, "huibo");
        for (String name : List.of("OriginateResponse", "DialBegin", "DialEnd", "Hangup")) {
            assertThat(f.passes(AmiMessage.event(name, "call,all").add("Channel", "x").encode())).as(name).isTrue();
        }
        for (String name : List.of("Newchannel", "Newstate", "HangupRequest", "SoftHangupRequest", "LocalBridge",
            "DialState", "VarSet", "Newexten", "FullyBooted", "SuccessfulAuth")) {
            assertThat(f.passes(AmiMessage.event(name, "call,all").add("Channel", "x").encode())).as(name).isFalse();
        }
        // an event name in a header value does not count: the filter is anchored at the Event line
        assertThat(f.passes(AmiMessage.event("DialState", "call,all").add("CallerIDName", "Event: Hangup x").encode()))
            .isFalse();
        assertThat(f.limit(null)).isEqualTo(Set.of("call", "system"));
        assertThat(f.limit(Set.of("call", "dialplan"))).isEqualTo(Set.of("call"));
    }

    @Test
    void posixClassesBecomeJavaClasses() {
        assertThat(PosixEre.toJava("Event: Hangup[[:space:]]")).isEqualTo("Event: Hangup[\\p{Space}]");
        assertThat(finds("^[[:alpha:]]+[[:digit:]][[:alnum:]]$", "ab1c")).isTrue();
        assertThat(finds("^[[:upper:]][[:lower:]]+[[:punct:]]$", "Abc;")).isTrue();
        assertThat(finds("^[[:upper:]]", "abc")).isFalse();
        assertThat(finds("x[^[:space:]]", "x\r")).isFalse();
        assertThat(finds("^[[:xdigit:][:blank:]]+$", "0a F")).isTrue();
    }

    @Test
    void posixBracketAndEscapeRulesNotJavas() {
        assertThat(finds("a[\\]", "a\\")).isTrue();   // backslash literal in brackets
        assertThat(finds("a[]b]", "a]")).isTrue();    // ']' first is literal
        assertThat(finds("a[^]b]", "a]")).isFalse();
        assertThat(finds("a[x-]", "a-")).isTrue();
        assertThat(finds("[&&a]", "&")).isTrue();     // no Java intersection
        assertThat(finds("a[[.-.]]", "a-")).isTrue();
        assertThat(finds("\\n", "n")).isTrue();       // \n is a plain 'n' in POSIX
        assertThat(finds("\\n", "\n")).isFalse();
        assertThat(finds("\\<Hangup\\>", "Event: Hangup\r\n")).isTrue();
        assertThat(finds("\\<Hangup\\>", "Event: HangupRequest")).isFalse();
        assertThat(finds("(Dial)(Begin|End)", "DialEnd")).isTrue();
    }

    @Test
    void aBadRegexIsRefused() {
        assertThatThrownBy(() -> filter("Event: (Hangup")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("Event: (Hangup");
        assertThatThrownBy(() -> filter("XX[X")).hasMessageContaining("unmatched [");
        assertThatThrownBy(() -> filter("[[:spaces:]]")).hasMessageContaining("unknown character class [:spaces:]");
        assertThatThrownBy(() -> filter("!")).hasMessageContaining("no pattern");
        assertThatThrownBy(() -> filter("(?i)hangup")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> filter("a\\")).hasMessageContaining("trailing backslash");
    }

    @Test
    void managerConfSyntax(@TempDir Path dir) throws IOException {
        Path conf = dir.resolve("manager.conf");
        Files.writeString(conf, """
            [general]
            enabled = yes
            eventfilter = Event: Nothing   ; not the user's
            [Huibo]
            read => call
            ;-- a block comment
            eventfilter = Event: Hidden
            --;
            eventfilter=!Event: VarSet\\;x ; escaped ';' is part of the pattern
            eventfilter = Event: Hangup[[:space:]]
            [other]
            eventfilter = Event: Other
            """);
        EventFilter f = EventFilter.load(conf, "huibo");
        assertThat(f.passes(HANGUP)).isTrue();
        assertThat(f.passes(AmiMessage.event("Other", "call,all").encode())).isFalse();
        assertThat(f.limit(null)).isEqualTo(Set.of("call"));
        assertThat(EventFilter.section(Files.readAllLines(conf), "huibo"))
            .extracting(kv -> kv[0] + "=" + kv[1])
            .containsExactly("read=call", "eventfilter=!Event: VarSet;x", "eventfilter=Event: Hangup[[:space:]]");

        assertThatThrownBy(() -> EventFilter.load(conf, "nobody")).hasMessageContaining("has no [nobody] section");
        Files.writeString(conf, "[huibo]\neventfilter(action(exclude),name(VarSet)) =\n");
        assertThatThrownBy(() -> EventFilter.load(conf, "huibo")).hasMessageContaining("legacy");
        Files.writeString(conf, "[huibo]\neventfilter = Event: (Hangup\n");
        assertThatThrownBy(() -> EventFilter.load(conf, "huibo")).hasMessageContaining("[huibo]")
            .hasMessageContaining("not a valid regex");
    }

    /** Whether the POSIX ERE matches somewhere in the text, as regexec does. */
    private static boolean finds(String ere, String text) {
        return PosixEre.compile(ere).matcher(text).find();
    }
}
