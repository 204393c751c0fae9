package io.huibo.dispatch;

import io.huibo.agi.CallbackLookup;
import io.huibo.domain.Callback;
import io.huibo.store.CallbackStore;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * How the route script finds a callback: the dispatcher's copy of a callback in flight (fresh, and no
 * database round trip while the call is being set up), else the store.
 */
public final class InFlightFirstLookup implements CallbackLookup {
    private final Dispatcher dispatcher;
    private final CallbackStore store;

    public InFlightFirstLookup(Dispatcher dispatcher, CallbackStore store) {
        this.dispatcher = dispatcher;
        this.store = store;
    }

    @Override
    public Future<Optional<Callback>> find(String id) {
        Optional<Callback> live = dispatcher.inFlight(id);
        return live.isPresent() ? Future.succeededFuture(live) : store.find(id);
    }
}
