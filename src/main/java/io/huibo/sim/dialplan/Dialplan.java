package io.huibo.sim.dialplan;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A parsed extensions file: its contexts (extensions in file order) and its [globals]. Immutable once loaded. */
public final class Dialplan {
    private final String source;
    private final Map<String, List<Extension>> contexts;
    private final Map<String, String> globals;

    Dialplan(String source, Map<String, List<Extension>> contexts, Map<String, String> globals) {
        this.source = source;
        this.contexts = Collections.unmodifiableMap(new LinkedHashMap<>(contexts));
        this.globals = Collections.unmodifiableMap(new LinkedHashMap<>(globals));
    }

    public String source() {
        return source;
    }

    public Map<String, String> globals() {
        return globals;
    }

    public boolean hasContext(String context) {
        return contexts.containsKey(context);
    }

    /** The extension {@code exten} runs in {@code context}: a literal name first, else the first matching pattern. */
    public Optional<Extension> extension(String context, String exten) {
        List<Extension> list = contexts.get(context);
        if (list == null || exten == null) {
            return Optional.empty();
        }
        for (Extension e : list) {
            if (e.name().equals(exten)) {
                return Optional.of(e);
            }
        }
        return list.stream().filter(e -> e.name().startsWith("_") && e.matches(exten)).findFirst();
    }

    /** The extension of that exact name (e.g. {@code _X.}), for checks of the file itself. */
    Optional<Extension> named(String context, String name) {
        List<Extension> list = contexts.get(context);
        return list == null ? Optional.empty() : list.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    public Optional<Priority> priority(String context, String exten, int priority) {
        return extension(context, exten).flatMap(e -> e.priority(priority));
    }
}
