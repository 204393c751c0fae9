package io.huibo.sim.dialplan;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * A channel's variables. {@link #push} shadows a value the way Gosub's LOCAL() and ARGn do
 * (pbx_builtin_pushvar_helper) and {@link #pop} uncovers the outer one again on Return.
 */
public final class Variables {
    private final Map<String, Deque<String>> vars = new HashMap<>();

    public String get(String name) {
        Deque<String> d = vars.get(name);
        return d == null || d.isEmpty() ? null : d.peek();
    }

    public void set(String name, String value) {
        Deque<String> d = vars.computeIfAbsent(name, k -> new ArrayDeque<>());
        if (!d.isEmpty()) {
            d.pop();
        }
        d.push(value);
    }

    public void push(String name, String value) {
        vars.computeIfAbsent(name, k -> new ArrayDeque<>()).push(value);
    }

    public void pop(String name) {
        Deque<String> d = vars.get(name);
        if (d != null && !d.isEmpty()) {
            d.pop();
        }
    }
}
