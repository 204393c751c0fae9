package io.huibo.routing;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Orders the candidates by their trunk's rate for the number (longest rate prefix), cheapest first.
 * Candidates without a rate keep their order after all priced ones: unknown cost is not free.
 * Equal costs keep the order of the steps before.
 */
public final class LeastCostStrategy implements RouteStrategy {

    public static final String NAME = "cost";

    @Override
    public String name() {
        return NAME;
    }

    private record Priced(Candidate candidate, BigDecimal cost) {
    }

    @Override
    public List<Candidate> apply(List<Candidate> candidates, Context context) {
        List<Priced> priced = new ArrayList<>(candidates.size());
        for (Candidate c : candidates) {
            priced.add(new Priced(c, context.rates().cost(c.trunk().id(), context.digits())));
        }
        // List.sort is stable
        priced.sort(Comparator.comparing(Priced::cost, Comparator.nullsLast(Comparator.naturalOrder())));
        return priced.stream().map(Priced::candidate).toList();
    }
}
