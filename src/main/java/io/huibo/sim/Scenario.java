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
 *   prompt: 100ms      # how long each Playback / Read prompt plays (default 100ms)
 *   readTimeout: 1s    # replaces the timeouts of the dialplan's Read() (5 s, 10 s) when nothing is keyed
 * trunks:              # by the part of a dial string after '@'; unknown trunks behave normally
 *   "carrier-bad": congestion   # congestion (CONGESTION, cause 34) | chanunavail (CHANUNAVAIL, cause 3)
 *                               # | busy | noanswer | normal
 * numbers:
 *   "+4930123456":
 *     outcomes: [busy, noanswer, answer]   # by successive call to this number in this sim process; the last repeats
 *     answerAfter: 200ms
 *     talk: 20s
 *     press: "1"       # key pressed after the confirmation prompt; "" = none (Read times out); default "1";
 *                      # hangup = leg A hangs up while the prompt plays (half way through it)
 *     keys: "8613900139000"   # digits keyed when the dialplan asks this person for a destination; default none
 *     pin: "1234"      # PIN keyed by this caller on a dial-in when asked; default none
 *   "4930999":
 *     outcomes: [congestion]
 * </pre>
 * Outcomes: {@code answer}, {@code busy}, {@code noanswer}, {@code congestion}, {@code chanunavail}.
 * The people answer the prompt they heard last: {@code press} after huibo/press-1-to-connect, {@code keys}
 * after huibo/enter-destination, {@code pin} after huibo/enter-pin; any other prompt gets no keys.
 * A trunk's behaviour wins over the number's and does not advance the number's call counter (the call
 * never reached it). {@code press} and {@code keys} are looked up by leg A's number (the person called
 * first), {@code pin} and {@code keys} of a dial-in by the caller's number unless {@code POST /dialin} gives them.
 * Durations: {@code 200ms}, {@code 2s}, {@code 1m}, or a plain number of milliseconds.
 * The successive-call counter is shared by all nodes of one sim process.
 */
public final class Scenario {
    enum Outcome { ANSWER, BUSY, NOANSWER, CONGESTION, CHANUNAVAIL }

    /** What one dialed number does on one call. {@code talk} is null when neither number nor defaults set it. */
    record Behaviour(Outcome outcome, Duration answerAfter, Duration talk) {}

    /** {@code press}, {@code keys}, {@code pin}: null when not given. */
    record NumberRule(List<Outcome> outcomes, Duration answerAfter, Duration talk, String press, String keys, String pin) {}

    /** Timing knobs of the simulated dialplan; null fields mean "as the dialplan says". */
    record Timing(Duration prompt, Duration readTimeout) {}

    static final Duration DEFAULT_TALK = Duration.ofSeconds(1);
    /** {@code press: hangup}: the person hangs up during the confirmation prompt instead of pressing. */
    static final String HANGUP = "hangup";
    private static final String CONFIRM_PROMPT = "huibo/press-1-to-connect";
    private static final String DESTINATION_PROMPT = "huibo/enter-destination";
    private static final String PIN_PROMPT = "huibo/enter-pin";
    static final Duration DEFAULT_PROMPT = Duration.ofMillis(100);

    private final Map<String, NumberRule> rules;
    private final Map<String, Outcome> trunks;
    private final Duration defaultTalk;
    private final Duration defaultAnswerAfter;
    private final Timing timing;
    private final Map<String, AtomicInteger> callCounts = new ConcurrentHashMap<>();

    Scenario(Map<String, NumberRule> rules, Duration defaultTalk, Duration defaultAnswerAfter) {
        this(rules, Map.of(), defaultTalk, defaultAnswerAfter, new Timing(null, null));
    }

    Scenario(Map<String, NumberRule> rules, Map<String, Outcome> trunks, Duration defaultTalk,
             Duration defaultAnswerAfter, Timing timing) {
        this.rules = Map.copyOf(rules);
        this.trunks = Map.copyOf(trunks);
        this.defaultTalk = defaultTalk;
        this.defaultAnswerAfter = defaultAnswerAfter;
        this.timing = timing;
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
        Timing timing = new Timing(null, null);
        if (top.get("defaults") instanceof Map<?, ?> d) {
            dTalk = duration(d.get("talk"));
            dAnswer = duration(d.get("answerAfter"));
            timing = new Timing(duration(d.get("prompt")), duration(d.get("readTimeout")));
        }
        Map<String, Outcome> trunks = new HashMap<>();
        Object t = top.get("trunks");
        if (t instanceof Map<?, ?> tm) {
            for (Map.Entry<?, ?> e : tm.entrySet()) {
                String v = String.valueOf(e.getValue()).trim().toLowerCase(Locale.ROOT);
                Outcome o = v.equals("normal") || v.equals("ok") ? Outcome.ANSWER : outcome(v);
                if (o != Outcome.ANSWER) { // a trunk that connects leaves the behaviour to the number
                    trunks.put(String.valueOf(e.getKey()), o);
                }
            }
        } else if (t != null) {
            throw new IllegalArgumentException("scenario: 'trunks' must be a mapping");
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
                String press = HANGUP.equals(spec.get("press")) ? HANGUP : digits(spec, "press");
                rules.put(number, new NumberRule(List.copyOf(outcomes), duration(spec.get("answerAfter")),
                    duration(spec.get("talk")), press, digits(spec, "keys"), digits(spec, "pin")));
            }
        } else if (numbers != null) {
            throw new IllegalArgumentException("scenario: 'numbers' must be a mapping");
        }
        return new Scenario(rules, trunks, dTalk, dAnswer, timing);
    }

    /** A digit string option; YAML may read {@code 1234} as a number, so anything scalar is taken as text. */
    private static String digits(Map<String, Object> spec, String key) {
        Object v = spec.get(key);
        if (v == null) {
            return spec.containsKey(key) ? "" : null;
        }
        String s = String.valueOf(v);
        if (!s.matches("[0-9*#]*")) {
            throw new IllegalArgumentException("scenario: '" + key + "' must be keypad digits, got '" + s + "'");
        }
        return s;
    }

    private static Outcome outcome(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        return switch (v) {
            case "answer", "answered" -> Outcome.ANSWER;
            case "busy" -> Outcome.BUSY;
            case "noanswer" -> Outcome.NOANSWER;
            case "congestion" -> Outcome.CONGESTION;
            case "chanunavail", "unavailable" -> Outcome.CHANUNAVAIL;
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

    /** What a trunk does to every call through it, or null when it behaves normally. */
    Outcome trunk(String trunk) {
        return trunk == null ? null : trunks.get(trunk);
    }

    /** What {@code number} keys in after hearing {@code prompt}; "" for none. */
    String reply(String number, String prompt) {
        return switch (prompt) {
            case CONFIRM_PROMPT -> HANGUP.equals(press(number)) ? "" : press(number);
            case DESTINATION_PROMPT -> keys(number);
            case PIN_PROMPT -> pin(number);
            default -> "";
        };
    }

    /** Whether {@code number} hangs up while {@code prompt} plays. */
    boolean hangsUpDuring(String number, String prompt) {
        return CONFIRM_PROMPT.equals(prompt) && HANGUP.equals(press(number));
    }

    /** The key {@code number} presses after the confirmation prompt; "" for none, "hangup". Default "1". */
    String press(String number) {
        NumberRule r = number == null ? null : rules.get(number);
        return r != null && r.press() != null ? r.press() : "1";
    }

    /** The digits {@code number} keys in when asked for a destination; "" for none. */
    String keys(String number) {
        NumberRule r = number == null ? null : rules.get(number);
        return r != null && r.keys() != null ? r.keys() : "";
    }

    /** The PIN {@code number} keys in on a dial-in when asked; "" for none. */
    String pin(String number) {
        NumberRule r = number == null ? null : rules.get(number);
        return r != null && r.pin() != null ? r.pin() : "";
    }

    Duration prompt() {
        return timing.prompt() != null ? timing.prompt() : DEFAULT_PROMPT;
    }

    /** How long a Read() waits when nothing is keyed: the scenario's override, else the dialplan's value. */
    Duration readTimeout(Duration dialplan) {
        return timing.readTimeout() != null ? timing.readTimeout() : dialplan;
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
