package io.huibo.guards;

import io.huibo.config.HuiboConfig;
import io.huibo.dispatch.DialGate;
import io.huibo.domain.CallState;
import io.huibo.domain.PhoneNumber;
import io.huibo.metrics.Metrics;
import io.huibo.service.NewCallback;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The toll-fraud guards (README "Toll-fraud guards"): which destinations may be dialed, and how often a
 * number and a key may ask. Asked at every door a request comes in by (single and bulk submits, dial-in)
 * before anything is stored, and again by the dispatcher before each attempt ({@link #destinationGate},
 * {@link #attemptsGate}). Every refusal counts in {@code huibo_guard_tripped_total{guard}}.
 */
public final class Guards {
    /** Every guard label, registered at zero so an alert rule sees the series before the first trip. */
    public static final List<String> GUARDS = List.of("deny-prefix", "premium-rate", "satellite", "international",
            "number-rate", "key-rate", "attempts-per-day");

    /** A request's number refused by a rule: {@code field} is number or destination. */
    public record Refused(String field, PhoneNumber number, DestinationRules.Refusal refusal) {
        public String detail() {
            return "'" + field + "' is refused by the toll-fraud guard " + refusal.guard() + ": " + refusal.rule();
        }
    }

    /** A key's own rules (an empty pair: only the configured ones). */
    public record KeyRules(List<String> allow, List<String> deny) {
        public static final KeyRules NONE = new KeyRules(List.of(), List.of());

        public KeyRules {
            allow = allow == null ? List.of() : List.copyOf(allow);
            deny = deny == null ? List.of() : List.copyOf(deny);
        }
    }

    private final HuiboConfig.Guards cfg;
    private final DestinationRules rules;
    private final GuardLimits limits;
    private final Metrics metrics;

    public Guards(HuiboConfig.Guards cfg, GuardLimits limits, Metrics metrics) {
        this.cfg = cfg;
        this.rules = DestinationRules.of(cfg);
        this.limits = limits;
        this.metrics = metrics;
        GUARDS.forEach(metrics::guardRegistered);
    }

    /** A number a request would dial, with the field it comes from. */
    private record Dialed(String field, PhoneNumber number) {
    }

    private static List<Dialed> dialed(PhoneNumber number, PhoneNumber destination) {
        return destination == null ? List.of(new Dialed("number", number))
                : List.of(new Dialed("number", number), new Dialed("destination", destination));
    }

    /** The distinct numbers a request would dial (a limit counts a number once per request). */
    private static Set<String> distinct(PhoneNumber number, PhoneNumber destination) {
        Set<String> numbers = new LinkedHashSet<>();
        dialed(number, destination).forEach(d -> numbers.add(d.number().value()));
        return numbers;
    }

    /** The first number of the request a rule refuses (counted as a trip); empty when both may be dialed. */
    public Optional<Refused> rules(NewCallback req, KeyRules key) {
        return first(req.number(), req.destination(), rules.plus(key.allow(), key.deny())::check);
    }

    private Optional<Refused> first(PhoneNumber number, PhoneNumber destination,
                                    java.util.function.Function<PhoneNumber, Optional<DestinationRules.Refusal>> rule) {
        for (Dialed d : dialed(number, destination)) {
            Optional<DestinationRules.Refusal> no = rule.apply(d.number());
            if (no.isPresent()) {
                metrics.guardTripped(no.get().guard());
                return Optional.of(new Refused(d.field(), d.number(), no.get()));
            }
        }
        return Optional.empty();
    }

    /**
     * Counts a request against the per-number and per-key limits (all instances together); empty: counted.
     * Fails when Redis cannot answer.
     *
     * @param keyId the API key that asks; null for a door without one (dial-in)
     */
    public Future<Optional<GuardLimits.Tripped>> limits(NewCallback req, String keyId) {
        return limits.take(requestLimits(req.number(), req.destination(), keyId)).map(t -> {
            t.ifPresent(x -> metrics.guardTripped(x.limit().guard()));
            return t;
        });
    }

    List<GuardLimits.Limit> requestLimits(PhoneNumber number, PhoneNumber destination, String keyId) {
        List<GuardLimits.Limit> out = new ArrayList<>();
        for (String n : distinct(number, destination)) {
            if (cfg.numberPerMinute() > 0) {
                out.add(new GuardLimits.Limit("number-rate", limits.key("num:" + n + ":m"), cfg.numberPerMinute(),
                        GuardLimits.MINUTE, "requests naming " + n + " per minute"));
            }
            if (cfg.numberPerDay() > 0) {
                out.add(new GuardLimits.Limit("number-rate", limits.key("num:" + n + ":d"), cfg.numberPerDay(),
                        GuardLimits.DAY, "requests naming " + n + " per day"));
            }
        }
        if (keyId != null) {
            if (cfg.keyPerMinute() > 0) {
                out.add(new GuardLimits.Limit("key-rate", limits.key("key:" + keyId + ":m"), cfg.keyPerMinute(),
                        GuardLimits.MINUTE, "requests with key " + keyId + " per minute"));
            }
            if (cfg.keyPerDay() > 0) {
                out.add(new GuardLimits.Limit("key-rate", limits.key("key:" + keyId + ":d"), cfg.keyPerDay(),
                        GuardLimits.DAY, "requests with key " + keyId + " per day"));
            }
        }
        return out;
    }

    /**
     * Before each attempt: a number a configured deny prefix refuses now (added after it was queued) ends
     * the callback BLOCKED, undialed. Only the deny prefixes: the allow entries that let it in at request
     * time may have been its key's own, which the callback does not record.
     */
    public DialGate destinationGate() {
        return (cb, now) -> {
            Optional<Refused> no = first(cb.number(), cb.destination(), rules::denied);
            return Future.succeededFuture(no.isEmpty() ? DialGate.DIAL
                    : new DialGate.Verdict.End(CallState.BLOCKED, "toll-fraud guard: " + no.get().detail()));
        };
    }

    /**
     * Before each attempt: at most {@code attemptsPerNumberPerDay} attempts to a number per UTC day, across
     * callbacks; over it, the callback waits for the next day. The attempt is counted when this gate says
     * dial (an attempt that then is not sent still counts: the limit errs on the side of dialing less).
     */
    public DialGate attemptsGate() {
        if (cfg.attemptsPerNumberPerDay() <= 0) {
            return DialGate.open();
        }
        return (cb, now) -> {
            List<GuardLimits.Limit> l = new ArrayList<>();
            for (String n : distinct(cb.number(), cb.destination())) {
                l.add(new GuardLimits.Limit("attempts-per-day", limits.key("att:" + n + ":d"),
                        cfg.attemptsPerNumberPerDay(), GuardLimits.DAY, "attempts to " + n + " per day"));
            }
            return limits.take(l).map(t -> {
                if (t.isEmpty()) {
                    return DialGate.DIAL;
                }
                metrics.guardTripped("attempts-per-day");
                return new DialGate.Verdict.Wait(now.plusSeconds(t.get().retryAfterSeconds()),
                        "toll-fraud guard attempts-per-day: " + t.get().limit().max() + " " + t.get().limit().what()
                                + " reached");
            });
        };
    }

    /** Dial's S() for each leg, in seconds; 0: no limit. */
    public int maxCallSeconds() {
        return (int) cfg.maxCallDuration().toSeconds();
    }

}
