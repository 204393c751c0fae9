package io.huibo.routing;

import java.util.List;

/**
 * Longest-prefix match: keeps the candidates with the longest prefix among those left (the most
 * specific region). After {@code time} it picks the most specific route open now; before it, a
 * closed specific route means no route rather than a fallback to a broader one.
 */
public final class PrefixStrategy implements RouteStrategy {

    public static final String NAME = "prefix";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Candidate> apply(List<Candidate> candidates, Context context) {
        int longest = -1;
        for (Candidate c : candidates) {
            longest = Math.max(longest, c.route().prefix().length());
        }
        int keep = longest;
        return candidates.stream().filter(c -> c.route().prefix().length() == keep).toList();
    }
}
