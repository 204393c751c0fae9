package io.huibo.routing;

import io.vertx.core.Future;

/** Where the routing tables live (MariaDB: {@code store.RoutingStore}). Non-blocking. */
public interface RoutingSource {

    /** The version of the tables, bumped by every import; cheap enough to ask every few seconds. */
    Future<Long> version();

    /** Every table, consistent with one version. */
    Future<RoutingData> load();
}
