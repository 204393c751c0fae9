package io.huibo.agi;

import io.huibo.domain.CallerPresentation;

import io.huibo.routing.Routes;
import io.huibo.service.DialinHook;
import java.time.Clock;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The scripts a FastAGI server offers, by name. Immutable. */
public final class AgiScripts {

    private final Map<String, AgiScript> byName;

    public AgiScripts(Collection<? extends AgiScript> scripts) {
        Map<String, AgiScript> m = new HashMap<>();
        for (AgiScript s : scripts) {
            String n = s.name();
            if (n == null || n.isEmpty() || n.indexOf('?') >= 0 || n.indexOf('/') >= 0) {
                throw new IllegalArgumentException("bad AGI script name: " + n);
            }
            if (m.putIfAbsent(n, s) != null) {
                throw new IllegalArgumentException("AGI script registered twice: " + n);
            }
        }
        this.byName = Map.copyOf(m);
    }

    public static AgiScripts of(AgiScript... scripts) {
        return new AgiScripts(List.of(scripts));
    }

    /**
     * Every script the Huibo dialplan (dialplan/huibo.conf) calls. boot.Instance uses this, and a test checks
     * it against the dialplan, so the two cannot drift apart.
     */
    public static AgiScripts forHuibo(Routes routes, CallbackLookup lookup, CallbackDestinations destinations,
                                      RouteTryLog tries, RouteHandouts handouts, DialinHook dialin,
                                      int ringTimeoutSeconds, CallerPresentation presentation, Clock clock) {
        return of(new RouteScript(routes, lookup, destinations, handouts, ringTimeoutSeconds, presentation, clock),
                new ReportScript(routes, tries, handouts, clock),
                new DialinScript(dialin));
    }

    /** Null when unknown. */
    public AgiScript find(String name) {
        return byName.get(name);
    }

    public Set<String> names() {
        return byName.keySet();
    }

    @SuppressWarnings("unchecked")
    public <T extends AgiScript> T get(String name, Class<T> type) {
        AgiScript s = byName.get(name);
        return type.isInstance(s) ? (T) s : null;
    }
}
