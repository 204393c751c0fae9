package io.huibo.domain;

/** A: the first call placed (the requester, or the agent in agent-first flows). B: the one bridged to it. */
public enum Leg {
    A, B;

    public String wire() {
        return name().toLowerCase();
    }

    public static Leg fromWire(String s) {
        return valueOf(s.toUpperCase());
    }
}
