package io.huibo.routing;

import java.util.List;

/**
 * A route table's strategy chain, applied in order to the routes of the table that fit the number
 * and leg. A table without a row uses {@link #DEFAULT_CHAIN}.
 */
public record RouteTable(String name, List<String> strategies) {

    public static final List<String> DEFAULT_CHAIN = List.of("time", "prefix", "cost");

    public RouteTable {
        if (!Trunk.validId(name)) {
            throw new IllegalArgumentException("table name must be 1-64 of letters, digits, _ . -");
        }
        strategies = List.copyOf(strategies);
        RouteStrategies.check(strategies);
    }
}
