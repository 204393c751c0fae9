package io.huibo.api;

import io.huibo.auth.Principal;
import io.vertx.core.Future;

/** Checks a bearer token; implemented by {@link io.huibo.auth.ApiKeys}. */
@FunctionalInterface
public interface TokenVerifier {
    /** Who the token is; null if it is refused (unknown, revoked, or the config token once keys exist). */
    Future<Principal> verify(String token);
}
