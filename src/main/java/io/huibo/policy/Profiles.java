package io.huibo.policy;

import io.huibo.domain.Outcome;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The configured retry profiles by name, with the default one (for requests and keys that name none)
 * and the built-in one (dispatch.retry*), whose rules fill in what a profile leaves out.
 */
public final class Profiles {
    private final Map<String, RetryProfile> byName;
    private final String defaultName;
    private final RetryProfile builtIn;

    /**
     * @param builtIn     listed under its name unless {@code configured} has a profile of that name
     * @param defaultName one of the profiles
     */
    public Profiles(RetryProfile builtIn, Map<String, RetryProfile> configured, String defaultName) {
        Map<String, RetryProfile> all = new LinkedHashMap<>();
        all.put(builtIn.name(), builtIn);
        all.putAll(configured);
        if (!all.containsKey(defaultName)) {
            throw new IllegalArgumentException("the default profile '" + defaultName + "' is not configured");
        }
        this.byName = Map.copyOf(all);
        this.defaultName = defaultName;
        this.builtIn = builtIn;
    }

    public static Profiles only(RetryProfile builtIn) {
        return new Profiles(builtIn, Map.of(), builtIn.name());
    }

    public String defaultName() {
        return defaultName;
    }

    public Set<String> names() {
        return byName.keySet();
    }

    public boolean has(String name) {
        return name != null && byName.containsKey(name);
    }

    /**
     * The profile a callback was stored with; the default for none, and for one no longer configured
     * (the config changed since): a callback must still be retried somehow.
     */
    public RetryProfile of(String name) {
        RetryProfile p = name == null ? null : byName.get(name);
        return p != null ? p : byName.get(defaultName);
    }

    /** The rule of {@code profile} for a failure, else the built-in's for its outcome. */
    public RetryRule rule(RetryProfile profile, RetryReason reason, Outcome outcome) {
        RetryRule r = profile.rule(reason, outcome);
        return r != null ? r : builtIn.rule(RetryReason.of(outcome), outcome);
    }
}
