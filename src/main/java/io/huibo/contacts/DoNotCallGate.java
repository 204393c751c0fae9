package io.huibo.contacts;

import io.huibo.dispatch.DialGate;
import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.PhoneNumber;
import io.huibo.store.DoNotCallStore;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;

/**
 * Before every attempt: a callback whose number was put on the do-not-call list after it was queued
 * ends {@code blocked}, undialed. The list is read from MariaDB each time (one primary-key lookup on the
 * store's worker threads), so a number added on any instance stops the next dial on all of them; if
 * it cannot be read the future fails and the dispatcher puts the callback back undialed.
 */
public final class DoNotCallGate implements DialGate {

    private final Function<PhoneNumber, Future<Optional<DoNotCallStore.Entry>>> lookup;

    public DoNotCallGate(DoNotCallStore store) {
        this(store::find);
    }

    /** @param lookup the list's entry for a number (empty: not listed) */
    public DoNotCallGate(Function<PhoneNumber, Future<Optional<DoNotCallStore.Entry>>> lookup) {
        this.lookup = lookup;
    }

    @Override
    public Future<Verdict> check(Callback cb, Instant now) {
        return lookup.apply(cb.number()).map(found -> found.<Verdict>map(e -> new Verdict.End(CallState.BLOCKED,
                reason(e))).orElse(DIAL));
    }

    /** What the callback's history says: the list and the operator's reason. */
    static String reason(DoNotCallStore.Entry e) {
        return "on the do-not-call list" + (e.reason() == null || e.reason().isEmpty() ? "" : ": " + e.reason());
    }
}
