package io.huibo.routing;

import io.vertx.core.Future;
import java.util.List;

/**
 * What the dialplan's FastAGI scripts ask of routing. Implementations compose strategies per route
 * table; they must not block the event loop (tables are cached in memory).
 */
public interface Routes {

    /**
     * Dial strings in failover order; trunks at their concurrency or calls-per-second limit are
     * skipped. Empty when there is no route. Completes on the caller's context.
     */
    Future<List<RouteChoice>> choose(RouteQuery query);

    /** The dialplan's report of one try on a trunk (DIALSTATUS), for failure counting. */
    void report(String callbackId, int attempt, String trunkId, String dialStatus);

    /** The attempt ended: frees the trunk slots it held. */
    void release(String callbackId, int attempt);
}
