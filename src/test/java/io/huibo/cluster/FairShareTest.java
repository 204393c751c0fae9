package io.huibo.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FairShareTest {
    private static final List<String> NODES = List.of("n1", "n2", "n3", "n4");

    @Test
    void shareIsTheCeilingOfNodesPerInstance() {
        assertThat(FairShare.share(4, 3)).isEqualTo(2);
        assertThat(FairShare.share(4, 4)).isEqualTo(1);
        assertThat(FairShare.share(4, 1)).isEqualTo(4);
        assertThat(FairShare.share(4, 0)).isEqualTo(4);
        assertThat(FairShare.share(3, 5)).isEqualTo(1);
        assertThat(FairShare.share(0, 2)).isZero();
    }

    @Test
    void aLoneInstanceTakesEveryFreeNode() {
        FairShare.Plan p = FairShare.plan(NODES, Map.of(), "a", 1);
        assertThat(p.acquire()).containsExactlyInAnyOrderElementsOf(NODES);
        assertThat(p.release()).isEmpty();
    }

    @Test
    void anInstanceAboveItsShareGivesTheSurplusUp() {
        Map<String, String> owners = Map.of("n1", "a", "n2", "a", "n3", "a", "n4", "a");
        FairShare.Plan p = FairShare.plan(NODES, owners, "a", 2);
        assertThat(p.release()).containsExactly("n3", "n4");
        assertThat(p.acquire()).isEmpty();
    }

    @Test
    void threeInstancesConvergeOnTwoOneOne() {
        // simulate rounds: every instance plans on the same view, releases apply, then free nodes are taken
        Map<String, String> owners = new HashMap<>();
        List<String> instances = List.of("a", "b", "c");
        for (int round = 0; round < 10; round++) {
            Map<String, String> view = Map.copyOf(owners);
            List<String> acquire = new ArrayList<>();
            for (String me : instances) {
                FairShare.Plan p = FairShare.plan(NODES, view, me, instances.size());
                p.release().forEach(owners::remove);
                p.acquire().forEach(n -> acquire.add(me + "=" + n));
            }
            for (String a : acquire) {
                String[] kv = a.split("=");
                owners.putIfAbsent(kv[1], kv[0]);
            }
        }
        Map<String, Integer> counts = new HashMap<>();
        owners.values().forEach(o -> counts.merge(o, 1, Integer::sum));
        assertThat(owners).hasSize(4);
        assertThat(counts.values()).containsExactlyInAnyOrder(2, 1, 1);
    }

    @Test
    void startingAtTwoTwoZeroTheRichestHandsOneOver() {
        Map<String, String> owners = Map.of("n1", "a", "n2", "a", "n3", "b", "n4", "b");
        FairShare.Plan a = FairShare.plan(NODES, owners, "a", 3);
        FairShare.Plan b = FairShare.plan(NODES, owners, "b", 3);
        FairShare.Plan c = FairShare.plan(NODES, owners, "c", 3);
        assertThat(a.release()).containsExactly("n2");
        assertThat(b.release()).isEmpty();
        assertThat(c.acquire()).isEmpty(); // nothing free yet
    }

    @Test
    void aStarvingInstanceGetsTheFreeNodeNotOneAtTheFloor() {
        Map<String, String> owners = Map.of("n1", "a", "n3", "b", "n4", "b");
        assertThat(FairShare.plan(NODES, owners, "a", 3).acquire()).isEmpty();
        assertThat(FairShare.plan(NODES, owners, "c", 3).acquire()).containsExactly("n2");
    }

    @Test
    void afterAnInstanceDiesTheSurvivorsTakeItsNodes() {
        Map<String, String> owners = Map.of("n1", "a", "n2", "a");
        FairShare.Plan b = FairShare.plan(NODES, owners, "b", 2);
        assertThat(b.acquire()).containsExactlyInAnyOrder("n3", "n4");
    }
}
