package io.huibo.domain;

/**
 * Who is called first. Customer-first: leg A is the person who asked, leg B the destination (an
 * agent, queue or number). Agent-first: leg A is the destination, and the customer is called only
 * once an agent is on the line, so no customer waits in silence for a busy agent.
 */
public enum CallFlow {
    CUSTOMER_FIRST, AGENT_FIRST;

    public String wire() {
        return this == CUSTOMER_FIRST ? "customer-first" : "agent-first";
    }

    public static CallFlow fromWire(String s) {
        return switch (s) {
            case "customer-first" -> CUSTOMER_FIRST;
            case "agent-first" -> AGENT_FIRST;
            default -> throw new IllegalArgumentException("unknown call flow: " + s);
        };
    }
}
