package io.huibo.routing;

import io.huibo.domain.Leg;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One row of a route table: numbers starting with {@code prefix} may go out through {@code trunkId}.
 *
 * @param leg    null: both legs
 * @param prefix digits without '+', empty for every number; a number only ever uses routes whose
 *               prefix it starts with, whatever the strategy chain
 * @param weight share for weighted round robin; 0 means only as a failover
 * @param window null: at any time
 */
public record Route(String table, Leg leg, String prefix, String trunkId, int weight, TimeWindow window) {

    static final Pattern PREFIX = Pattern.compile("[0-9]{0,20}");
    static final int MAX_WEIGHT = 1_000_000;

    public Route {
        if (!Trunk.validId(table)) {
            throw new IllegalArgumentException("table name must be 1-64 of letters, digits, _ . -");
        }
        if (prefix == null || !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("prefix must be up to 20 digits");
        }
        if (!Trunk.validId(trunkId)) {
            throw new IllegalArgumentException("trunk id must be 1-64 of letters, digits, _ . -");
        }
        if (weight < 0 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight must be 0 to " + MAX_WEIGHT);
        }
        Objects.requireNonNull(table);
    }

    /** Accepts "+86" as well as "86": numbers are matched by their digits. */
    public static String normalizePrefix(String p) {
        return p != null && p.startsWith("+") ? p.substring(1) : p;
    }
}
