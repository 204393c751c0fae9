package io.huibo.auth;

import java.util.Set;

/**
 * Who made a request: a key's id and name, what it may do, and the webhook it gives callbacks that
 * name none (null: none).
 */
public record Principal(String keyId, String name, Set<Scope> scopes, String webhook) {
    /** The config token while no key exists: every scope. */
    public static final Principal BOOTSTRAP = new Principal("bootstrap", "config token", Scope.all(), null);

    public Principal {
        scopes = Set.copyOf(scopes);
    }

    public boolean may(Scope s) {
        return scopes.contains(s);
    }
}
