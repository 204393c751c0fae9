package io.huibo.routing;

import io.huibo.config.ConfigException;
import io.huibo.config.HuiboConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where a trunk's dial template may send calls (config {@code trunkPolicy}): its technology, its
 * endpoint (and the host of a URI dialed through it) and, for Local channels, its context must be
 * listed. Checked on every import of the trunks table (a refusal names the part) and again on every
 * load, so a row written before the policy changed, or by hand, is skipped instead of used.
 *
 * <p>The static routes of the config ({@code routing.legA}, {@code routing.legB}) are allowed as they
 * are, and what they name is allowed for trunks too: the operator wrote them, and a table naming the
 * same trunk should not need it listed twice.
 */
public final class TrunkAllowlist {

    /** No allowlist: for unit tests of routing that are not about it. */
    public static final TrunkAllowlist ANY = new TrunkAllowlist(null, null, null);

    private final Set<String> technologies;
    private final List<Pattern> endpoints;
    private final List<Pattern> contexts;
    private final String shownEndpoints;
    private final String shownContexts;

    private TrunkAllowlist(Set<String> technologies, List<String> endpoints, List<String> contexts) {
        this.technologies = technologies;
        this.endpoints = endpoints == null ? null : endpoints.stream().map(TrunkAllowlist::glob).toList();
        this.contexts = contexts == null ? null : contexts.stream().map(TrunkAllowlist::glob).toList();
        this.shownEndpoints = endpoints == null ? "" : String.join(", ", endpoints);
        this.shownContexts = contexts == null ? "" : String.join(", ", contexts);
    }

    /** @throws ConfigException for a static route that cannot be read */
    public static TrunkAllowlist from(HuiboConfig.TrunkPolicy policy, HuiboConfig.Routing routing) {
        Set<String> techs = new LinkedHashSet<>();
        policy.technologies().forEach(t -> techs.add(t.toLowerCase(Locale.ROOT)));
        List<String> endpoints = new ArrayList<>(policy.endpoints());
        List<String> contexts = new ArrayList<>(policy.contexts());
        List<DialTemplate> statics = new ArrayList<>(StaticRoutes.templates("routing.legA", routing.legA()));
        statics.addAll(StaticRoutes.templates("routing.legB", routing.legB()));
        for (DialTemplate t : statics) {
            // (a template cannot hold '*', so these names match only themselves)
            DialTarget target;
            try {
                target = DialTarget.of(t);
            } catch (IllegalArgumentException e) {
                // a static route of an unusual shape still works; it just lends nothing to the tables
                continue;
            }
            techs.add(target.technology().toLowerCase(Locale.ROOT));
            if (target.local()) {
                contexts.add((target.context()));
            } else {
                endpoints.add((target.endpoint()));
                if (target.host() != null) {
                    endpoints.add((target.host()));
                }
            }
        }
        return new TrunkAllowlist(techs, List.copyOf(new LinkedHashSet<>(endpoints)),
                List.copyOf(new LinkedHashSet<>(contexts)));
    }

    /**
     * @throws IllegalArgumentException naming the part of the template that is not allowed (or cannot
     *                                  be told), e.g. "endpoint 'evil.example' is not in trunkPolicy.endpoints"
     */
    public void check(DialTemplate template) {
        if (technologies == null) {
            return;
        }
        DialTarget t = DialTarget.of(template);
        if (!technologies.contains(t.technology().toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("technology '" + t.technology()
                    + "' is not in trunkPolicy.technologies (" + String.join(", ", technologies) + ")");
        }
        if (t.local()) {
            if (!matches(contexts, t.context())) {
                throw new IllegalArgumentException("context '" + t.context() + "' is not in trunkPolicy.contexts"
                        + (shownContexts.isEmpty() ? " (none listed)" : " (" + shownContexts + ")"));
            }
            return;
        }
        if (!matches(endpoints, t.endpoint())) {
            throw new IllegalArgumentException("endpoint '" + t.endpoint() + "' is not in trunkPolicy.endpoints"
                    + " (" + shownEndpoints + ")");
        }
        if (t.host() != null && !matches(endpoints, t.host())) {
            throw new IllegalArgumentException("host '" + t.host() + "' is not in trunkPolicy.endpoints"
                    + " (" + shownEndpoints + ")");
        }
    }

    /** True when {@link #check} passes. */
    public boolean allows(DialTemplate template) {
        try {
            check(template);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean matches(List<Pattern> patterns, String name) {
        for (Pattern p : patterns) {
            if (p.matcher(name).matches()) {
                return true;
            }
        }
        return false;
    }

    /** Names are case-sensitive (PJSIP endpoint ids are); {@code *} is any run of characters. */
    private static Pattern glob(String s) {
        return Pattern.compile(String.join(".*", Arrays.stream(s.split("\\*", -1)).map(Pattern::quote).toList()));
    }
}
