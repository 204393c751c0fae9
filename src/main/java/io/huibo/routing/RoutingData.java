package io.huibo.routing;

import java.util.List;

/**
 * Everything in the routing tables at one version, as stored: trunks, routes (in table order),
 * rates and the strategy chains of the tables that name one.
 */
public record RoutingData(long version, List<Trunk> trunks, List<Route> routes, List<Rate> rates,
                          List<RouteTable> tables) {

    public RoutingData {
        trunks = List.copyOf(trunks);
        routes = List.copyOf(routes);
        rates = List.copyOf(rates);
        tables = List.copyOf(tables);
    }

    public static RoutingData empty() {
        return new RoutingData(0, List.of(), List.of(), List.of(), List.of());
    }
}
