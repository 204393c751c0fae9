package io.huibo.sim.dialplan;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** An extension of a context (a literal such as {@code s} or a pattern such as {@code _X.}) with its priorities. */
public final class Extension {
    private final String name;
    private final TreeMap<Integer, Priority> priorities = new TreeMap<>();
    private final Map<String, Priority> labels = new java.util.HashMap<>();

    Extension(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public boolean matches(String exten) {
        return ExtenPattern.matches(name, exten);
    }

    public Optional<Priority> priority(int n) {
        return Optional.ofNullable(priorities.get(n));
    }

    public Optional<Priority> label(String label) {
        return Optional.ofNullable(labels.get(label));
    }

    int last() {
        return priorities.isEmpty() ? 0 : priorities.lastKey();
    }

    boolean has(int n) {
        return priorities.containsKey(n);
    }

    boolean hasLabel(String label) {
        return labels.containsKey(label);
    }

    void add(Priority p) {
        priorities.put(p.number(), p);
        if (p.label() != null) {
            labels.put(p.label(), p);
        }
    }
}
