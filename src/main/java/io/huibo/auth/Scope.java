package io.huibo.auth;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** What a key may do. Scopes are independent: {@code admin} manages keys and reloads, it does not submit callbacks. */
public enum Scope {
    CALLBACKS_WRITE("callbacks:write"),
    CALLBACKS_READ("callbacks:read"),
    /** nodes (drain, resume) and the queue */
    OPERATE("operate"),
    /** routing tables and dial-in callers (both decide where calls go) */
    ROUTING("routing"),
    /** keys and reload */
    ADMIN("admin");

    private final String id;

    Scope(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Optional<Scope> parse(String s) {
        return Arrays.stream(values()).filter(v -> v.id.equals(s)).findFirst();
    }

    public static Set<Scope> all() {
        return EnumSet.allOf(Scope.class);
    }

    /** The stored form: ids separated by spaces, in declaration order. */
    public static String join(Set<Scope> scopes) {
        return String.join(" ", scopes.stream().sorted().map(Scope::id).toList());
    }

    /** Reads {@link #join}'s form; an id this version does not know is dropped (it grants nothing). */
    public static Set<Scope> split(String stored) {
        Set<Scope> out = EnumSet.noneOf(Scope.class);
        for (String s : stored.trim().split("\\s+")) {
            parse(s).ifPresent(out::add);
        }
        return out;
    }
}
