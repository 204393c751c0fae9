package io.huibo.api;

import io.vertx.core.Future;

/** Checks a bearer token; implemented by the hashed key store. */
@FunctionalInterface
public interface TokenVerifier {
    Future<Boolean> verify(String token);
}
