package io.huibo.agi;

import io.huibo.store.RouteTryStore;
import io.vertx.core.Future;

/** Where {@code report} writes each try on a route. boot.Instance wires it to {@link RouteTryStore#record}. */
@FunctionalInterface
public interface RouteTryLog {
    Future<Void> record(RouteTryStore.RouteTry routeTry);
}
