package io.huibo.domain;

/**
 * How one attempt ended. CONNECTED means leg A answered and leg B was bridged to it; every other
 * value names what went wrong, on the leg recorded in {@link Attempt#failedLeg()}.
 */
public enum Outcome {
    CONNECTED, BUSY, NO_ANSWER, CONGESTION, FAILED;

    public boolean isSuccess() {
        return this == CONNECTED;
    }

    public String wire() {
        return name().toLowerCase();
    }

    public static Outcome fromWire(String s) {
        return valueOf(s.toUpperCase());
    }
}
