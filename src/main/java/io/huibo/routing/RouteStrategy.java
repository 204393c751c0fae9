package io.huibo.routing;

import io.huibo.domain.Leg;
import java.time.Instant;
import java.util.List;

/**
 * One step of a route table's chain: takes the candidates left by the steps before it, in their
 * order, and returns those it keeps, in the order it prefers. Pure and non-blocking; only
 * {@code wrr} keeps state (its rotation), safely shared between threads.
 */
public interface RouteStrategy {

    /** The name used in a table's chain ({@code prefix}, {@code time}, {@code cost}, {@code wrr}). */
    String name();

    List<Candidate> apply(List<Candidate> candidates, Context context);

    /** A route of the table whose trunk exists and is enabled, and whose prefix the number starts with. */
    record Candidate(Route route, Trunk trunk) {
    }

    /**
     * @param digits the number without its '+', as prefixes are written
     * @param now    the time of the question (windows are checked against it)
     */
    record Context(Leg leg, String digits, Instant now, RateTable rates) {
    }
}
