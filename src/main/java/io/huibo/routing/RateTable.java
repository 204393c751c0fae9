package io.huibo.routing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Rates per trunk, answering "what does this number cost on that trunk" by longest prefix. */
public final class RateTable {

    public static final RateTable EMPTY = new RateTable(List.of());

    /** Per trunk, longest prefix first, so the first match is the longest. */
    private final Map<String, List<Rate>> byTrunk;

    public RateTable(List<Rate> rates) {
        Map<String, List<Rate>> m = new HashMap<>();
        for (Rate r : rates) {
            m.computeIfAbsent(r.trunkId(), k -> new ArrayList<>()).add(r);
        }
        m.replaceAll((k, v) -> v.stream()
                .sorted(Comparator.comparingInt((Rate r) -> r.prefix().length()).reversed())
                .toList());
        this.byTrunk = Map.copyOf(m);
    }

    /** Null when the trunk has no rate for this number. */
    public BigDecimal cost(String trunkId, String digits) {
        List<Rate> rates = byTrunk.get(trunkId);
        if (rates == null) {
            return null;
        }
        for (Rate r : rates) {
            if (digits.startsWith(r.prefix())) {
                return r.costPerMinute();
            }
        }
        return null;
    }
}
