package io.huibo.routing;

import java.util.List;

/** Keeps the candidates whose time window is open at the time of the question (no window: always). */
public final class TimeWindowStrategy implements RouteStrategy {

    public static final String NAME = "time";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Candidate> apply(List<Candidate> candidates, Context context) {
        return candidates.stream()
                .filter(c -> c.route().window() == null || c.route().window().contains(context.now()))
                .toList();
    }
}
