package io.huibo.auth;

import java.util.List;
import java.util.Set;

/**
 * Who made a request: a key's id and name, what it may do, the webhook it gives callbacks that
 * name none (null: none), its own toll-fraud allow and deny entries (added to the configured ones),
 * and the retry profile of the callbacks it submits that name none (null: the server's default).
 */
public record Principal(String keyId, String name, Set<Scope> scopes, String webhook, List<String> allow,
                        List<String> deny, String defaultProfile) {
    /** The config token while no key exists: every scope. */
    public static final Principal BOOTSTRAP = new Principal("bootstrap", "config token", Scope.all(), null,
            List.of(), List.of(), null);

    public Principal {
        scopes = Set.copyOf(scopes);
        allow = allow == null ? List.of() : List.copyOf(allow);
        deny = deny == null ? List.of() : List.copyOf(deny);
    }

    public boolean may(Scope s) {
        return scopes.contains(s);
    }
}
