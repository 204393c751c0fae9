package io.huibo.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The alert rules operators load (docs/alerts.yaml) name only series Huibo serves (as docs/metrics.md
 * documents them, which ObserveIT checks against a live /metrics), and each alert has its runbook in
 * docs/operations.md, so a renamed metric or a new alert cannot leave the rules or the runbook behind.
 */
class AlertRulesTest {
    /** A Prometheus series name of ours in a PromQL expression. */
    private static final Pattern SERIES = Pattern.compile("\\b((?:huibo|vertx|hikaricp|jvm|process|system)_[a-z_]+)");
    /** Prometheus adds these to a timer's or summary's base name. */
    private static final List<String> SUFFIXES = List.of("_bucket", "_count", "_sum", "_max");

    @Test
    void everyRuleNamesDocumentedSeriesAndHasARunbook() throws Exception {
        List<Map<String, Object>> rules = rules();
        assertThat(rules).hasSizeGreaterThan(5);
        Set<String> documented = new TreeSet<>(ObserveIT.documentedNames());
        String operations = Files.readString(Path.of("docs/operations.md"));
        List<String> problems = new ArrayList<>();
        for (Map<String, Object> rule : rules) {
            String alert = (String) rule.get("alert");
            String expr = (String) rule.get("expr");
            assertThat(alert).as("alert name").isNotBlank();
            assertThat(expr).as(alert + " expr").isNotBlank();
            Matcher m = SERIES.matcher(expr);
            while (m.find()) {
                if (!known(m.group(1), documented)) {
                    problems.add(alert + ": " + m.group(1) + " is not in docs/metrics.md");
                }
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> annotations = (Map<String, Object>) rule.get("annotations");
            String runbook = annotations == null ? null : (String) annotations.get("runbook");
            if (!("docs/operations.md#" + alert.toLowerCase(Locale.ROOT)).equals(runbook)) {
                problems.add(alert + ": runbook annotation " + runbook);
            }
            if (!operations.contains("\n### " + alert + "\n")) {
                problems.add(alert + ": no '### " + alert + "' section in docs/operations.md");
            }
            if (rule.get("labels") == null || ((Map<?, ?>) rule.get("labels")).get("severity") == null) {
                problems.add(alert + ": no severity label");
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void aSeriesOutsideTheDocumentIsCaught() {
        Set<String> documented = Set.of("huibo_queue_depth", "huibo_due_to_originate_seconds");
        assertThat(known("huibo_due_to_originate_seconds_bucket", documented)).isTrue();
        assertThat(known("huibo_queue_depth", documented)).isTrue();
        assertThat(known("huibo_queue_depht", documented)).isFalse();
    }

    private static boolean known(String series, Set<String> documented) {
        if (documented.contains(series)) {
            return true;
        }
        return SUFFIXES.stream().anyMatch(s -> series.endsWith(s)
                && documented.contains(series.substring(0, series.length() - s.length())));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rules() throws Exception {
        Map<String, Object> doc = new Yaml().load(Files.readString(Path.of("docs/alerts.yaml")));
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) doc.get("groups")) {
            out.addAll((List<Map<String, Object>>) group.get("rules"));
        }
        return out;
    }
}
