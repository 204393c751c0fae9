package io.huibo.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How many nodes one instance should drive, and which to take or give up: at most
 * ceil(nodes / live instances), so 3 instances spread 4 nodes 2/1/1 and nobody is left idle while
 * another holds more than its share. Pure.
 */
public final class FairShare {

    /** Nodes to try to take (free ones) and to give up (beyond the share; handed over once idle). */
    public record Plan(List<String> acquire, List<String> release) {
    }

    private FairShare() {
    }

    public static int share(int nodes, int liveInstances) {
        if (nodes <= 0) {
            return 0;
        }
        int n = Math.max(1, liveInstances);
        return (nodes + n - 1) / n;
    }

    /**
     * @param nodes     the node ids that may be owned, in a stable order
     * @param owners    node id -> current owner (absent or null when free)
     * @param me        this instance
     * @param instances live instances, this one included
     */
    public static Plan plan(List<String> nodes, Map<String, String> owners, String me, int instances) {
        int k = Math.max(1, instances);
        int share = share(nodes.size(), k);
        int floor = nodes.size() / k;
        List<String> mine = new ArrayList<>();
        List<String> free = new ArrayList<>();
        Map<String, Integer> counts = new TreeMap<>();
        for (String n : nodes) {
            String o = owners.get(n);
            if (o == null || o.isEmpty()) {
                free.add(n);
                continue;
            }
            counts.merge(o, 1, Integer::sum);
            if (me.equals(o)) {
                mine.add(n);
            }
        }
        // instances below the floor (ones that own nothing do not show up among the owners)
        long atFloor = counts.values().stream().filter(c -> c >= floor).count();
        boolean starving = floor > 0 && k - atFloor > 0;
        List<String> acquire = new ArrayList<>();
        List<String> release = new ArrayList<>();
        if (mine.size() > share) {
            // give up the last ones: instances then converge on the same split
            release.addAll(mine.subList(share, mine.size()));
        } else if (starving && free.isEmpty() && mine.size() > floor) {
            if (me.equals(richest(counts))) {
                // ceil(4/3) = 2 lets 3 instances settle at 2/2/0: the richest hands one over, one at a time
                release.add(mine.get(mine.size() - 1));
            }
        } else if (!free.isEmpty() && !(starving && mine.size() >= floor)) {
            // start at an offset of our own so instances racing for free nodes mostly ask for different ones
            int offset = Math.floorMod(me.hashCode(), free.size());
            for (int i = 0; i < free.size() && acquire.size() < share - mine.size(); i++) {
                acquire.add(free.get((offset + i) % free.size()));
            }
        }
        return new Plan(List.copyOf(acquire), List.copyOf(release));
    }

    /** The owner with the most nodes; ties go to the lowest id, so exactly one instance feels addressed. */
    private static String richest(Map<String, Integer> counts) {
        String best = null;
        int most = -1;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            if (e.getValue() > most) {
                most = e.getValue();
                best = e.getKey();
            }
        }
        return best;
    }
}
