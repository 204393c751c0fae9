package io.huibo.pbx;

/**
 * What a node remembers of one attempt, written by the dialplan into the node's own database
 * (AstDB, {@code huibo/<memoKey>/a} and {@code .../b}) as the call goes, so that an instance that did
 * not see the call end can still tell whether it went through. Each part is the raw value the dialplan
 * wrote, null when it wrote none:
 * <ul>
 *   <li>{@code legA}: {@code ANSWER} once leg A answered; otherwise {@code <DIALSTATUS>:<HANGUPCAUSE>} of
 *       how leg A's last try ended (the status may be empty: no route was dialed).</li>
 *   <li>{@code legB}: {@code ANSWER} once leg B answered (before it was bridged); otherwise
 *       {@code <DIALSTATUS>:<HANGUPCAUSE>} when the connecting half hung up (empty status: leg B was
 *       never dialed, e.g. leg A hung up first), or {@code UNCONFIRMED:<HANGUPCAUSE>} when leg A was asked
 *       to confirm and did not press 1 (hung up during the prompt, or keyed something else).</li>
 * </ul>
 * The first fact written for a leg stays: a later write never replaces it.
 */
public record OutcomeMemory(String legA, String legB) {

    public static final String ANSWER = "ANSWER";
    public static final String UNCONFIRMED = "UNCONFIRMED";
    public static final OutcomeMemory NONE = new OutcomeMemory(null, null);

    public boolean isEmpty() {
        return legA == null && legB == null;
    }

    public boolean legAAnswered() {
        return ANSWER.equals(legA) || legBAnswered();
    }

    public boolean legBAnswered() {
        return ANSWER.equals(legB);
    }

    /** Leg A answered but did not confirm, so leg B was never dialed. */
    public boolean legAUnconfirmed() {
        return UNCONFIRMED.equals(status(legB));
    }

    /** The dial status part of a leg's value ({@code BUSY} of {@code BUSY:17}); null when none. */
    public static String status(String value) {
        if (value == null) {
            return null;
        }
        int colon = value.indexOf(':');
        String s = colon < 0 ? value : value.substring(0, colon);
        return s.isBlank() ? null : s.trim();
    }

    /** The hangup cause part of a leg's value ({@code 17} of {@code BUSY:17}); null when none. */
    public static Integer cause(String value) {
        if (value == null) {
            return null;
        }
        int colon = value.indexOf(':');
        if (colon < 0) {
            return null;
        }
        try {
            return Integer.valueOf(value.substring(colon + 1).trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
