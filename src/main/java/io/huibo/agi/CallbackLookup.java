package io.huibo.agi;

import io.huibo.domain.Callback;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * How the route script finds a callback. {@code dispatch.InFlightFirstLookup} is the in-memory cache of in-flight
 * callbacks with the store behind it. The future must complete on the caller's Vert.x context.
 */
@FunctionalInterface
public interface CallbackLookup {
    Future<Optional<Callback>> find(String id);
}
