package io.huibo.routing;

import io.huibo.domain.Callback;
import io.huibo.domain.Leg;
import java.util.List;

/**
 * Chooses how to reach one leg of a callback: dial strings in order of preference (the first is
 * dialed; later ones are for failover strategies to come: trunks, least cost, per-number rules).
 * Called on the event loop for every leg of every call: must not block. Strategies that need data
 * from the database keep it in memory and refresh it in the background.
 */
public interface Router {

    /** Never null; empty when there is no route for this leg. */
    List<DialString> route(Leg leg, Callback callback);
}
