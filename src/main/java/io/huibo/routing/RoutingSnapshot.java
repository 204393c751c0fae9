package io.huibo.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One load of the tables, indexed for routing; replaced whole when the tables change. */
final class RoutingSnapshot {

    final RoutingData data;
    final Map<String, Trunk> trunks;
    final Map<String, List<Route>> routesByTable;
    final Map<String, List<RouteStrategy>> chains;
    final RateTable rates;

    RoutingSnapshot(RoutingData data) {
        this.data = data;
        Map<String, Trunk> t = new HashMap<>();
        data.trunks().forEach(x -> t.put(x.id(), x));
        this.trunks = Map.copyOf(t);
        Map<String, List<Route>> r = new HashMap<>();
        data.routes().forEach(x -> r.computeIfAbsent(x.table(), k -> new ArrayList<>()).add(x));
        r.replaceAll((k, v) -> List.copyOf(v));
        this.routesByTable = Map.copyOf(r);
        Map<String, List<String>> named = new HashMap<>();
        data.tables().forEach(x -> named.put(x.name(), x.strategies()));
        Map<String, List<RouteStrategy>> c = new HashMap<>();
        for (String table : routesByTable.keySet()) {
            c.put(table, RouteStrategies.build(named.getOrDefault(table, RouteTable.DEFAULT_CHAIN)));
        }
        this.chains = Map.copyOf(c);
        this.rates = new RateTable(data.rates());
    }

    long version() {
        return data.version();
    }

    /** No routes at all: the static templates from config apply. */
    boolean noRoutes() {
        return data.routes().isEmpty();
    }
}
