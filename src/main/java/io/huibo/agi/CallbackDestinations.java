package io.huibo.agi;

import io.huibo.domain.PhoneNumber;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * Stores the destination a caller keyed in, only if the callback has none yet, and answers with the
 * destination the callback has afterwards (the keyed one, or the one stored first). boot.Instance wires it to
 * {@code CallbackStore.setDestination}. Completes on the caller's Vert.x context.
 */
@FunctionalInterface
public interface CallbackDestinations {
    Future<Optional<PhoneNumber>> setIfAbsent(String callbackId, PhoneNumber destination);
}
