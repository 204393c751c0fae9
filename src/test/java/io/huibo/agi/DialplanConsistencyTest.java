package io.huibo.agi;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.CallbackIds;
import io.huibo.routing.DialTemplate;
import io.huibo.routing.StaticRouter;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** dialplan/huibo.conf and the AGI scripts must agree: scripts it calls exist, variables we set are used. */
class DialplanConsistencyTest {

    private static final Path DIALPLAN = Path.of("dialplan", "huibo.conf");
    private static final Path README = Path.of("dialplan", "README.md");
    private static final Pattern AGI_CALL = Pattern.compile("AGI\\(agi://\\$\\{HUIBO_AGI\\}/([A-Za-z0-9_-]+)(\\?[^,)]*)?");
    private static final Pattern VAR_READ = Pattern.compile("\\$\\{([A-Z0-9_]+)\\}");
    private static final Pattern SET_VAR = Pattern.compile("^SET VARIABLE ([A-Z0-9_]+) ");

    record Line(String code, String comment) {
    }

    static List<Line> lines() throws IOException {
        List<Line> out = new ArrayList<>();
        for (String raw : Files.readAllLines(DIALPLAN)) {
            int semi = raw.indexOf(';');
            out.add(semi < 0 ? new Line(raw.strip(), "") : new Line(raw.substring(0, semi).strip(), raw.substring(semi + 1)));
        }
        return out;
    }

    @Test
    void everyScriptTheDialplanCallsIsRegistered() throws IOException {
        Set<String> called = new LinkedHashSet<>();
        for (Line l : lines()) {
            Matcher m = AGI_CALL.matcher(l.code());
            while (m.find()) {
                called.add(m.group(1));
            }
            if (l.code().contains("AGI(")) {
                assertThat(AGI_CALL.matcher(l.code()).find()).as("AGI call not in the agi://${HUIBO_AGI}/ form: %s", l.code()).isTrue();
            }
        }
        assertThat(called).containsExactly("route");
        AgiScripts registry = AgiScripts.forHuibo(
                new StaticRouter(DialTemplate.parse("PJSIP/{number}@trunk"), DialTemplate.parse("PJSIP/{number}@trunk")),
                id -> Future.succeededFuture(Optional.empty()), 30);
        assertThat(registry.names()).containsAll(called);
    }

    @Test
    void theContextsAreExactlyTheTwoOfTheContract() throws IOException {
        List<String> contexts = new ArrayList<>();
        for (Line l : lines()) {
            if (l.code().startsWith("[")) {
                contexts.add(l.code());
            }
            if (!l.code().isEmpty()) {
                assertThat(l.comment()).as("every dialplan line is commented: %s", l.code()).isNotBlank();
            }
        }
        assertThat(contexts).containsExactly("[huibo-leg-a]", "[huibo-connect]");
        String code = String.join("\n", lines().stream().map(Line::code).toList());
        assertThat(code).contains("AGI(agi://${HUIBO_AGI}/route?leg=a,${HUIBO_CALLBACK},${HUIBO_ATTEMPT})")
                .contains("AGI(agi://${HUIBO_AGI}/route?leg=b,${HUIBO_CALLBACK},${HUIBO_ATTEMPT})")
                .contains("Dial(${HUIBO_DIAL},${HUIBO_RING_TIMEOUT})")
                .contains("n(failed),Hangup(38)");
    }

    @Test
    void everyVariableHuiboSetsIsReadOrDocumented() throws IOException {
        // what the route script really sends, routed and refused
        String id = CallbackIds.next();
        Callback cb = RouteScriptTest.callback(id, "+4930111111", "200", CallState.DIALING, 1);
        RouteScript script = new RouteScript(
                new StaticRouter(DialTemplate.parse("PJSIP/{number}@trunk"), DialTemplate.parse("PJSIP/{number}@trunk")),
                x -> Future.succeededFuture(Optional.of(cb)), 30);
        Set<String> set = new LinkedHashSet<>();
        for (AgiRequest req : List.of(RouteScriptTest.request("a", id, "1"), RouteScriptTest.request("b", id, "1"),
                RouteScriptTest.request("a", id, "7"))) {
            FakeSession s = new FakeSession(req);
            script.run(s);
            for (String c : s.commands) {
                Matcher m = SET_VAR.matcher(c);
                assertThat(m.find()).as(c).isTrue();
                set.add(m.group(1));
            }
        }
        assertThat(set).containsExactlyInAnyOrderElementsOf(RouteScript.VARIABLES);

        Set<String> read = new LinkedHashSet<>();
        StringBuilder comments = new StringBuilder();
        for (Line l : lines()) {
            Matcher m = VAR_READ.matcher(l.code());
            while (m.find()) {
                read.add(m.group(1));
            }
            comments.append(l.comment()).append('\n');
        }
        String readme = Files.readString(README);
        for (String v : set) {
            boolean used = read.contains(v);
            boolean documented = comments.toString().contains(v) && readme.contains(v);
            assertThat(used || documented).as("%s is neither read by the dialplan nor documented", v).isTrue();
        }
        assertThat(read).as("variables the dialplan reads").contains("HUIBO_DIAL", "HUIBO_RING_TIMEOUT");
        // whatever else the dialplan reads comes from the Originate or from Asterisk, and is documented
        for (String v : read) {
            if (!set.contains(v) && !v.equals("DIALSTATUS")) {
                assertThat(comments.toString()).as("%s documented in huibo.conf", v).contains(v);
                assertThat(readme).as("%s documented in README", v).contains(v);
            }
        }
    }
}
