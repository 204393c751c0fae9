package io.huibo.auth;

import java.util.Set;

/**
 * Who made a request: a key's id and name, what it may do, and the webhook it gives callbacks that
 * name none (null: none), and the retry profile of the callbacks it submits that name none (null: the
 * server's default).
 */
public record Principal(String keyId, String name, Set<Scope> scopes, String webhook, String defaultProfile) {
    /** The config token while no key exists: every scope. */
    public static final Principal BOOTSTRAP = new Principal("bootstrap", "config token", Scope.all(), null, null);

    /** Without a default retry profile: the server's. */
    public Principal(String keyId, String name, Set<Scope> scopes, String webhook) {
        this(keyId, name, scopes, webhook, null);
    }

    public Principal {
        scopes = Set.copyOf(scopes);
    }

    public boolean may(Scope s) {
        return scopes.contains(s);
    }
}
