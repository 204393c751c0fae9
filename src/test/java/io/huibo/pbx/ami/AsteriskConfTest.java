package io.huibo.pbx.ami;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The files in asterisk-conf/ against what made a real Asterisk 20 refuse them or what the docs
 * promise: one event filter everywhere, a pjsip.conf that loads on a stock node (no transport of its
 * own, no host name to resolve), and a module for every application and function the dialplan uses.
 */
class AsteriskConfTest {

    private static final Path CONF = Path.of("asterisk-conf");
    private static final Pattern FILTER = Pattern.compile("eventfilter = (\\^Event: \\S+)");

    /** Where each application or function of dialplan/huibo.conf comes from; core ones map to "core". */
    private static final Map<String, String> MODULE_OF = Map.ofEntries(
            Map.entry("AGI", "res_agi.so"), Map.entry("Dial", "app_dial.so"), Map.entry("Read", "app_read.so"),
            Map.entry("Playback", "app_playback.so"), Map.entry("ExecIf", "app_exec.so"),
            Map.entry("DBdeltree", "func_db.so"), Map.entry("DB", "func_db.so"), Map.entry("DB_EXISTS", "func_db.so"),
            Map.entry("CALLERID", "func_callerid.so"), Map.entry("Set", "core"), Map.entry("GotoIf", "core"),
            Map.entry("Goto", "core"), Map.entry("Gosub", "core"), Map.entry("Return", "core"),
            Map.entry("Busy", "core"), Map.entry("Congestion", "core"), Map.entry("Hangup", "core"),
            Map.entry("Answer", "core"), Map.entry("LOCAL", "core"));

    @Test
    void oneEventFilterInTheFileAndEveryDoc() throws IOException {
        Set<String> filters = new LinkedHashSet<>();
        for (Path p : List.of(CONF.resolve("manager.conf"), CONF.resolve("README.md"), Path.of("README.md"))) {
            Matcher m = FILTER.matcher(Files.readString(p));
            while (m.find()) {
                filters.add(m.group(1));
            }
        }
        assertThat(filters).containsExactly("^Event: (OriginateResponse|DialBegin|DialEnd|Hangup)[[:space:]]");
        String readme = Files.readString(CONF.resolve("README.md"));
        assertThat(readme).doesNotContain("Newchannel|").doesNotContain("|Newstate");
    }

    @Test
    void pjsipConfLoadsOnAStockNode() throws IOException {
        Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        String current = null;
        for (String raw : Files.readAllLines(CONF.resolve("pjsip.conf"))) {
            String line = raw.replaceFirst(";.*", "").trim();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("[")) {
                current = line;
                assertThat(sections).as("section %s appears once", line).doesNotContainKey(line);
                sections.put(line, new LinkedHashMap<>());
                continue;
            }
            assertThat(current).as("option before any section: %s", line).isNotNull();
            String[] kv = line.split("=", 2);
            assertThat(kv).as("option %s", line).hasSize(2);
            sections.get(current).computeIfAbsent(kv[0].trim(), k -> new ArrayList<>()).add(kv[1].trim());
        }
        Set<String> templates = new LinkedHashSet<>();
        for (String s : sections.keySet()) {
            Matcher t = Pattern.compile("\\[([\\w-]+)]\\(!\\)").matcher(s);
            if (t.matches()) {
                templates.add(t.group(1));
            }
        }
        for (var e : sections.entrySet()) {
            Matcher uses = Pattern.compile("\\[([\\w-]+)]\\(([\\w-]+)\\)").matcher(e.getKey());
            if (uses.matches() && !uses.group(2).equals("!")) {
                assertThat(templates).as("template of %s", e.getKey()).contains(uses.group(2));
            }
            Map<String, List<String>> opts = e.getValue();
            // a node has its transport already: a second one on the same port does not load
            assertThat(opts.getOrDefault("type", List.of())).as(e.getKey()).doesNotContain("transport");
            assertThat(opts).as("%s names no transport: the node's own is used", e.getKey()).doesNotContainKey("transport");
            // a host name that does not resolve makes the identify (and the whole trunk) fail to load
            for (String contact : opts.getOrDefault("contact", List.of())) {
                assertThat(contact).as("contact of %s", e.getKey()).matches("sip:\\d+\\.\\d+\\.\\d+\\.\\d+(:\\d+)?");
            }
            for (String match : opts.getOrDefault("match", List.of())) {
                assertThat(match).as("match of %s", e.getKey()).matches("\\d+\\.\\d+\\.\\d+\\.\\d+(/\\d+)?");
            }
            assertThat(opts).as(e.getKey()).doesNotContainKey("from_domain");
        }
        assertThat(sections).containsKeys("[trunk](trunk-endpoint)", "[trunk-identify]");
    }

    @Test
    void everyApplicationAndFunctionOfTheDialplanHasItsModuleLoaded() throws IOException {
        String modules = Files.readString(CONF.resolve("modules.conf"));
        Set<String> used = new LinkedHashSet<>();
        Matcher app = Pattern.compile("(?:^exten => [^,]+,[^,]+|^ same => n(?:\\([a-z]+\\))?),([A-Za-z]+)\\(",
                Pattern.MULTILINE).matcher(dialplanCode());
        while (app.find()) {
            used.add(app.group(1));
        }
        // functions are read as ${FUNC(...)} or written as Set(FUNC(...)=...); ExecIf runs ...?App(...)
        Matcher fn = Pattern.compile("(?:\\$\\{|Set\\(|\\?)([A-Za-z_]{2,})\\(").matcher(dialplanCode());
        while (fn.find()) {
            used.add(fn.group(1));
        }
        assertThat(used).contains("AGI", "Dial", "Read", "Playback", "CALLERID", "DB");
        for (String u : used) {
            assertThat(MODULE_OF).as("which module provides %s", u).containsKey(u);
            String module = MODULE_OF.get(u);
            if (!module.equals("core")) {
                assertThat(modules).as("modules.conf loads %s for %s", module, u)
                        .containsPattern("(?m)^(load|require) = " + Pattern.quote(module));
            }
        }
    }

    private static String dialplanCode() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String raw : Files.readAllLines(Path.of("dialplan", "huibo.conf"))) {
            sb.append(raw.replaceFirst(";.*", "")).append('\n');
        }
        return sb.toString();
    }
}
