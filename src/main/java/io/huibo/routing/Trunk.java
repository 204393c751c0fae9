package io.huibo.routing;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A way out to the network: its dial template and the limits the carrier imposes.
 *
 * @param maxConcurrent     calls at once on this trunk; 0 means no limit
 * @param maxCallsPerSecond new calls per second; 0 means no limit
 * @param enabled           a disabled trunk is never chosen, but routes may keep naming it
 */
public record Trunk(String id, DialTemplate dial, int maxConcurrent, int maxCallsPerSecond, boolean enabled) {

    /** Also the shape of route table names: they end up in URLs, CSV and logs. */
    static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    public Trunk {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("trunk id must be 1-64 of letters, digits, _ . -");
        }
        Objects.requireNonNull(dial, "dial");
        if (maxConcurrent < 0) {
            throw new IllegalArgumentException("max_concurrent must be 0 (no limit) or more");
        }
        if (maxCallsPerSecond < 0) {
            throw new IllegalArgumentException("max_cps must be 0 (no limit) or more");
        }
    }

    public static boolean validId(String id) {
        return id != null && ID.matcher(id).matches();
    }
}
