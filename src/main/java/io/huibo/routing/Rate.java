package io.huibo.routing;

import java.math.BigDecimal;

/** What a minute to numbers starting with {@code prefix} costs on a trunk (any currency, the same for all). */
public record Rate(String trunkId, String prefix, BigDecimal costPerMinute) {

    /** DECIMAL(12,6) in the database. */
    static final BigDecimal MAX = new BigDecimal("999999.999999");

    public Rate {
        if (!Trunk.validId(trunkId)) {
            throw new IllegalArgumentException("trunk id must be 1-64 of letters, digits, _ . -");
        }
        if (prefix == null || !Route.PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("prefix must be up to 20 digits");
        }
        if (costPerMinute == null || costPerMinute.signum() < 0 || costPerMinute.compareTo(MAX) > 0
                || costPerMinute.stripTrailingZeros().scale() > 6) {
            throw new IllegalArgumentException("cost must be 0 to " + MAX.toPlainString() + " with at most 6 decimals");
        }
        costPerMinute = canonical(costPerMinute);
    }

    /** 0.012000 from the database and 0.012 from a CSV are the same rate. */
    static BigDecimal canonical(BigDecimal d) {
        BigDecimal s = d.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }
}
