package io.huibo.guards;

/**
 * A request (or a bulk row) a toll-fraud guard refuses: 422 for a rule, 429 for a limit, with the guard's
 * name and, for a limit, the seconds until it resets.
 */
public final class GuardRefusedException extends RuntimeException {
    private final int status;
    private final String guard;
    private final String field;
    private final long retryAfterSeconds;

    private GuardRefusedException(int status, String guard, String field, String detail, long retryAfterSeconds) {
        super(detail, null, false, false);
        this.status = status;
        this.guard = guard;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static GuardRefusedException of(Guards.Refused r) {
        return new GuardRefusedException(422, r.refusal().guard(), r.field(), r.detail(), 0);
    }

    public static GuardRefusedException of(GuardLimits.Tripped t) {
        return new GuardRefusedException(429, t.limit().guard(), null, "toll-fraud guard " + t.limit().guard()
                + ": at most " + t.limit().max() + " " + t.limit().what() + "; retry in " + t.retryAfterSeconds() + " s",
                t.retryAfterSeconds());
    }

    public int status() {
        return status;
    }

    public String guard() {
        return guard;
    }

    /** The request field whose number is refused; null for a limit. */
    public String field() {
        return field;
    }

    /** Seconds until the limit's window resets (429 only; 0 otherwise). */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The first GuardRefusedException in {@code t}'s causes (futures wrap it), or null. */
    public static GuardRefusedException in(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof GuardRefusedException g) {
                return g;
            }
        }
        return null;
    }
}
