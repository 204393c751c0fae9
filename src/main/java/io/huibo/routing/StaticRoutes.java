package io.huibo.routing;

import io.huibo.config.ConfigException;
import io.huibo.config.HuiboConfig;
import io.huibo.domain.Leg;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@link Routes} from configuration only, until the database-backed routing runs: each of
 * {@code routing.legA} and {@code routing.legB} is one dial template, or several separated by
 * {@code ,} (a character no template may contain), tried in that order. The trunk of the n-th
 * template of a leg is {@code static-a<n>} / {@code static-b<n>}; there are no limits to count, so
 * {@link #report} and {@link #release} keep nothing.
 */
public final class StaticRoutes implements Routes {

    private final List<DialTemplate> legA;
    private final List<DialTemplate> legB;

    public StaticRoutes(List<DialTemplate> legA, List<DialTemplate> legB) {
        this.legA = List.copyOf(legA);
        this.legB = List.copyOf(legB);
        if (this.legA.isEmpty() || this.legB.isEmpty()) {
            throw new IllegalArgumentException("a static route needs at least one template per leg");
        }
    }

    /** @throws ConfigException naming the key and the template that cannot be used */
    public static StaticRoutes fromConfig(HuiboConfig.Routing routing) {
        return new StaticRoutes(templates("routing.legA", routing.legA()), templates("routing.legB", routing.legB()));
    }

    static List<DialTemplate> templates(String key, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigException(key + ": no dial template");
        }
        List<DialTemplate> out = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            try {
                out.add(DialTemplate.parse(part.strip()));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key + ": " + e.getMessage());
            }
        }
        return out;
    }

    @Override
    public Future<List<RouteChoice>> choose(RouteQuery query) {
        Objects.requireNonNull(query, "query");
        List<DialTemplate> ts = query.leg() == Leg.A ? legA : legB;
        List<RouteChoice> out = new ArrayList<>(ts.size());
        for (int i = 0; i < ts.size(); i++) {
            out.add(new RouteChoice("static-" + query.leg().wire() + (i + 1), ts.get(i).expand(query.number())));
        }
        return Future.succeededFuture(out);
    }

    @Override
    public void report(String callbackId, int attempt, String trunkId, String dialStatus) {
        // no trunk limits or health to track for configured templates
    }

    @Override
    public void release(String callbackId, int attempt) {
        // nothing held
    }
}
