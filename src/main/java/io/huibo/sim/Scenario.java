package io.huibo.sim;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * How simulated callees behave, by the number dialed (the part of HUIBO_DIAL between {@code /} and {@code @}).
 *
 * <p>Without a scenario, the last digit decides: 7 busy, 8 rings and never answers, 9 congestion,
 * anything else answers after 100-300 ms and talks 1 s.
 *
 * <p>Scenario file (YAML):
 * <pre>
 * defaults:            # optional
 *   talk: 2s           # talk time of answered calls (default 1s)
 *   answerAfter: 150ms # fixed answer delay (default: random 100-300 ms)
 * numbers:
 *   "+4930123456":
 *     outcomes: [busy, noanswer, answer]   # by successive call to this number in this sim process; the last repeats
 *     answerAfter: 200ms
 *     talk: 20s
 *   "4930999":
 *     outcomes: [congestion]
 * </pre>
 * Outcomes: {@code answer}, {@code busy}, {@code noanswer}, {@code congestion}.
 * Durations: {@code 200ms}, {@code 2s}, {@code 1m}, or a plain number of milliseconds.
 * The successive-call counter is shared by all nodes of one sim process.
 */
public final class Scenario {
    enum Outcome { ANSWER, BUSY, NOANSWER, CONGESTION }

    /** What one dialed number does on one call. {@code talk} is null when neither number nor defaults set it. */
    record Behaviour(Outcome outcome, Duration answerAfter, Duration talk) {}

    record NumberRule(List<Outcome> outcomes, Duration answerAfter, Duration talk) {}

    static final Duration DEFAULT_TALK = Duration.ofSeconds(1);

    private final Map<String, NumberRule> rules;
    private final Duration defaultTalk;
    private final Duration defaultAnswerAfter;
    private final Map<String, AtomicInteger> callCounts = new ConcurrentHashMap<>();

    Scenario(Map<String, NumberRule> rules, Duration defaultTalk, Duration defaultAnswerAfter) {
        this.rules = Map.copyOf(rules);
        this.defaultTalk = defaultTalk;
        this.defaultAnswerAfter = defaultAnswerAfter;
    }

    public static Scenario empty() {
        return new Scenario(Map.of(), null, null);
    }

    public static Scenario load(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file)) {
            Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
            return parseRoot(root);
        }
    }

    public static Scenario parse(String yaml) {
        Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        return parseRoot(root);
    }

    @SuppressWarnings("unchecked")
    private static Scenario parseRoot(Object root) {
        if (root == null) {
            return empty();
        }
        if (!(root instanceof Map<?, ?> top)) {
            throw new IllegalArgumentException("scenario: top level must be a mapping");
        }
        Duration dTalk = null;
        Duration dAnswer = null;
        if (top.get("defaults") instanceof Map<?, ?> d) {
            dTalk = duration(d.get("talk"));
            dAnswer = duration(d.get("answerAfter"));
        }
        Map<String, NumberRule> rules = new HashMap<>();
        Object numbers = top.get("numbers");
        if (numbers instanceof Map<?, ?> nums) {
            for (Map.Entry<?, ?> e : nums.entrySet()) {
                String number = String.valueOf(e.getKey());
                Map<String, Object> spec = e.getValue() instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
                List<Outcome> outcomes = new ArrayList<>();
                Object o = spec.get("outcomes");
                if (o instanceof List<?> list) {
                    for (Object x : list) {
                        outcomes.add(outcome(String.valueOf(x)));
                    }
                } else if (o != null) {
                    outcomes.add(outcome(String.valueOf(o)));
                }
                rules.put(number, new NumberRule(List.copyOf(outcomes), duration(spec.get("answerAfter")), duration(spec.get("talk"))));
            }
        } else if (numbers != null) {
            throw new IllegalArgumentException("scenario: 'numbers' must be a mapping");
        }
        return new Scenario(rules, dTalk, dAnswer);
    }

    private static Outcome outcome(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        return switch (v) {
            case "answer", "answered" -> Outcome.ANSWER;
            case "busy" -> Outcome.BUSY;
            case "noanswer" -> Outcome.NOANSWER;
            case "congestion" -> Outcome.CONGESTION;
            default -> throw new IllegalArgumentException("scenario: unknown outcome '" + s + "'");
        };
    }

    static Duration duration(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof Number n) {
            return Duration.ofMillis(n.longValue());
        }
        String s = o.toString().trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).trim()));
        }
        if (s.endsWith("s")) {
            return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1).trim()) * 1000));
        }
        if (s.endsWith("m")) {
            return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1).trim()) * 60);
        }
        return Duration.ofMillis(Long.parseLong(s));
    }

    /** Behaviour of the next call to {@code number}; advances that number's call counter. */
    Behaviour next(String number) {
        NumberRule rule = rules.get(number);
        Outcome outcome;
        if (rule != null && !rule.outcomes().isEmpty()) {
            int n = callCounts.computeIfAbsent(number, k -> new AtomicInteger()).getAndIncrement();
            outcome = rule.outcomes().get(Math.min(n, rule.outcomes().size() - 1));
        } else {
            outcome = byLastDigit(number);
        }
        Duration answerAfter = Optional.ofNullable(rule).map(NumberRule::answerAfter).orElse(defaultAnswerAfter);
        if (answerAfter == null) {
            answerAfter = Duration.ofMillis(ThreadLocalRandom.current().nextLong(100, 301));
        }
        Duration talk = Optional.ofNullable(rule).map(NumberRule::talk).orElse(null);
        return new Behaviour(outcome, answerAfter, talk);
    }

    Duration defaultTalk() {
        return defaultTalk != null ? defaultTalk : DEFAULT_TALK;
    }

    static Outcome byLastDigit(String number) {
        char last = number.isEmpty() ? '0' : number.charAt(number.length() - 1);
        return switch (last) {
            case '7' -> Outcome.BUSY;
            case '8' -> Outcome.NOANSWER;
            case '9' -> Outcome.CONGESTION;
            default -> Outcome.ANSWER;
        };
    }
}
