package io.huibo.agi;

import io.huibo.domain.Leg;
import io.huibo.routing.RouteChoice;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The routes {@code route} handed to the dialplan, per (callback, attempt, leg), so {@code report}
 * can name the trunk and dial string of try N: the dialplan only knows the index. In memory on the
 * instance that placed the call (HUIBO_AGI sends both scripts there). An entry lives until the
 * attempt has ended plus a grace period (leg A's report comes after the whole bridge is over),
 * and at most {@link #DEFAULT_TTL}, so a lost end event cannot make it grow without bound.
 */
public final class RouteHandouts {

    /** Longer than any call: leg A's report arrives only when its Dial() returns. */
    public static final Duration DEFAULT_TTL = Duration.ofHours(6);
    /** After the attempt ended, reports still arriving from the dialplan are a matter of seconds. */
    public static final Duration AFTER_END = Duration.ofMinutes(2);
    private static final long SWEEP_EVERY = Duration.ofSeconds(30).toNanos();

    private record Key(String callbackId, int attempt, Leg leg) {
    }

    private record Entry(List<RouteChoice> choices, long expiresAt) {
    }

    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();
    /** Highest try index reported per leg: the try after it is the one that was answered. */
    private final ConcurrentHashMap<Key, Integer> reported = new ConcurrentHashMap<>();
    private final long ttl;
    private final LongSupplier nanoTime;
    private volatile long nextSweep;

    public RouteHandouts() {
        this(DEFAULT_TTL, System::nanoTime);
    }

    RouteHandouts(Duration ttl, LongSupplier nanoTime) {
        this.ttl = ttl.toNanos();
        this.nanoTime = Objects.requireNonNull(nanoTime);
        this.nextSweep = nanoTime.getAsLong() + SWEEP_EVERY;
    }

    public void remember(String callbackId, int attempt, Leg leg, List<RouteChoice> choices) {
        long now = nanoTime.getAsLong();
        entries.put(new Key(callbackId, attempt, leg), new Entry(List.copyOf(choices), now + ttl));
        if (now - nextSweep >= 0) {
            nextSweep = now + SWEEP_EVERY;
            entries.values().removeIf(e -> now - e.expiresAt() >= 0);
            reported.keySet().removeIf(k -> !entries.containsKey(k));
        }
    }

    /** What was handed out for this leg, unless it expired or this instance never routed it. */
    public Optional<List<RouteChoice>> get(String callbackId, int attempt, Leg leg) {
        Entry e = entries.get(new Key(callbackId, attempt, leg));
        if (e == null || nanoTime.getAsLong() - e.expiresAt() >= 0) {
            return Optional.empty();
        }
        return Optional.of(e.choices());
    }

    /**
     * Leg B of the attempt was handed a route: the call may have connected, whatever the node says
     * (the dispatcher's test before it hands a call over at shutdown).
     */
    public boolean legBRouted(String callbackId, int attempt) {
        return get(callbackId, attempt, Leg.B).isPresent();
    }

    /** {@code report} saw try {@code tryIndex} of this leg end without connecting. */
    public void reported(String callbackId, int attempt, Leg leg, int tryIndex) {
        reported.merge(new Key(callbackId, attempt, leg), tryIndex, Math::max);
    }

    /**
     * The try that connected this leg: the one after the last reported (the dialplan reports only
     * tries that end without a bridge; an answered Dial() ends with the call). Empty when unknown.
     */
    public Optional<Integer> answeredTry(String callbackId, int attempt, Leg leg) {
        int next = reported.getOrDefault(new Key(callbackId, attempt, leg), 0) + 1;
        return get(callbackId, attempt, leg).filter(l -> next <= l.size()).map(l -> next);
    }

    /** The attempt ended: keep its entries only for the reports still on their way. */
    public void attemptEnded(String callbackId, int attempt) {
        long until = nanoTime.getAsLong() + AFTER_END.toNanos();
        for (Leg leg : Leg.values()) {
            entries.computeIfPresent(new Key(callbackId, attempt, leg),
                    (k, e) -> until - e.expiresAt() < 0 ? new Entry(e.choices(), until) : e);
        }
        for (Leg leg : Leg.values()) {
            reported.remove(new Key(callbackId, attempt, leg));
        }
    }

    public int size() {
        return entries.size();
    }
}
