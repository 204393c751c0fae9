package io.huibo.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Weighted round robin over the candidates: the first choice rotates so that over any run of
 * calls each candidate comes first in proportion to its weight (smooth WRR, as nginx does it:
 * weights 5,1,1 give a a b a c a a, never five a in a row). The others follow by weight, heaviest
 * first, as failovers; weight 0 is never first.
 *
 * <p>The rotation is kept per set of candidates (the same prefix and window give the same set), in
 * this instance, which lives as long as one load of the tables.
 */
public final class WeightedRoundRobinStrategy implements RouteStrategy {

    public static final String NAME = "wrr";
    /** A bound on remembered rotations; sets are few per load, this only guards against surprises. */
    private static final int MAX_SETS = 10_000;

    private final ConcurrentHashMap<String, long[]> current = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Candidate> apply(List<Candidate> candidates, Context context) {
        if (candidates.size() < 2) {
            return candidates;
        }
        long total = 0;
        StringBuilder key = new StringBuilder();
        for (Candidate c : candidates) {
            total += c.route().weight();
            key.append(c.trunk().id()).append('/').append(c.route().prefix()).append('/')
                    .append(c.route().weight()).append('|');
        }
        if (total == 0) {
            return candidates;
        }
        if (current.size() > MAX_SETS) {
            current.clear();
        }
        long[] cur = current.computeIfAbsent(key.toString(), k -> new long[candidates.size()]);
        int pick = 0;
        synchronized (cur) {
            for (int i = 0; i < cur.length; i++) {
                cur[i] += candidates.get(i).route().weight();
                if (cur[i] > cur[pick]) {
                    pick = i;
                }
            }
            cur[pick] -= total;
        }
        List<Candidate> rest = new ArrayList<>(candidates);
        Candidate first = rest.remove(pick);
        rest.sort(Comparator.comparingInt((Candidate c) -> c.route().weight()).reversed());
        List<Candidate> out = new ArrayList<>(candidates.size());
        out.add(first);
        out.addAll(rest);
        return out;
    }
}
