package io.huibo.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The strategies a route table may name in its chain. */
public final class RouteStrategies {

    public static final List<String> NAMES = List.of(PrefixStrategy.NAME, TimeWindowStrategy.NAME,
            LeastCostStrategy.NAME, WeightedRoundRobinStrategy.NAME);

    private RouteStrategies() {
    }

    /** @throws IllegalArgumentException naming the unknown or repeated strategy */
    static void check(List<String> chain) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("empty strategy chain (use some of " + String.join(",", NAMES) + ")");
        }
        for (int i = 0; i < chain.size(); i++) {
            String n = chain.get(i);
            if (!NAMES.contains(n)) {
                throw new IllegalArgumentException("unknown strategy '" + n + "' (use " + String.join(",", NAMES) + ")");
            }
            if (chain.subList(0, i).contains(n)) {
                throw new IllegalArgumentException("strategy '" + n + "' named twice");
            }
        }
    }

    /** "prefix,time,cost" (or with ';' or spaces) into names, lower case. */
    public static List<String> parseChain(String spec) {
        List<String> out = new ArrayList<>();
        for (String p : (spec == null ? "" : spec).trim().split("[;,\\s]+")) {
            if (!p.isEmpty()) {
                out.add(p.toLowerCase(Locale.ROOT));
            }
        }
        check(out);
        return List.copyOf(out);
    }

    /** Fresh instances: a chain's {@code wrr} rotation belongs to one table of one load. */
    static List<RouteStrategy> build(List<String> chain) {
        check(chain);
        List<RouteStrategy> out = new ArrayList<>(chain.size());
        for (String n : chain) {
            out.add(switch (n) {
                case PrefixStrategy.NAME -> new PrefixStrategy();
                case TimeWindowStrategy.NAME -> new TimeWindowStrategy();
                case LeastCostStrategy.NAME -> new LeastCostStrategy();
                case WeightedRoundRobinStrategy.NAME -> new WeightedRoundRobinStrategy();
                default -> throw new IllegalArgumentException("unknown strategy " + n);
            });
        }
        return List.copyOf(out);
    }
}
