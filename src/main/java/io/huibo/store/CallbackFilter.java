package io.huibo.store;

import io.huibo.domain.CallState;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which callbacks a list or a bulk cancel is about; every part is optional (null or empty: any), and
 * the parts are combined with AND. Time ranges include their start and exclude their end.
 *
 * @param states      any of these states
 * @param number      exactly this number (leg A's requester)
 * @param destination exactly this destination
 * @param node        an attempt of it was made on this node
 * @param endedFrom   in a final state, reached at or after this (its last update)
 * @param metadata    every one of these metadata entries, by exact value
 */
public record CallbackFilter(Set<CallState> states, String number, String destination, String node,
                             Instant createdFrom, Instant createdTo, Instant dueFrom, Instant dueTo,
                             Instant endedFrom, Instant endedTo, Map<String, String> metadata) {

    public static final CallbackFilter ANY = new CallbackFilter(Set.of(), null, null, null, null, null, null, null,
            null, null, Map.of());

    public CallbackFilter {
        states = states == null || states.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(states));
        metadata = metadata == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    public CallbackFilter withStates(Set<CallState> s) {
        return new CallbackFilter(s, number, destination, node, createdFrom, createdTo, dueFrom, dueTo, endedFrom,
                endedTo, metadata);
    }

    /** Whether anything besides the states narrows it. */
    public boolean narrowsBeyondState() {
        return !this.withStates(Set.of()).equals(ANY);
    }
}
