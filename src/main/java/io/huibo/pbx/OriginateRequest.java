package io.huibo.pbx;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What {@link PbxNode#originate} needs. No phone number: the dialplan asks Huibo for the dial strings
 * over FastAGI, so nothing a caller typed ever reaches the AMI action.
 *
 * @param channelId      {@code hb-<callbackId>-<attempt>}, becomes the Uniqueid of the originated channel
 * @param context        dialplan context of the Local channel's second half (huibo-leg-a)
 * @param connectContext where the originated half goes once leg A answered (huibo-connect)
 * @param timeout        how long leg A may ring (Originate {@code Timeout})
 * @param callerId       optional CallerID for leg A, may be null
 * @param agiAddresses   host:port of Huibo FastAGI servers, this instance first: the dialplan asks the
 *                       first and falls back on the next ones when one cannot be reached (HUIBO_AGI,
 *                       HUIBO_AGI_2, ...)
 * @param memoKey        where the dialplan remembers the attempt's outcome on the node (HUIBO_MEMO, see
 *                       {@link OutcomeMemory} and {@code domain.Attempt#memoKey})
 * @param confirm        leg A must press 1 before leg B is dialed (HUIBO_CONFIRM=1)
 * @param maxCallSeconds longest each leg may stay connected (HUIBO_MAXSEC, Dial's S() option); 0: no limit
 */
public record OriginateRequest(String callbackId, int attempt, String channelId, String context,
                               String connectContext, Duration timeout, String callerId, List<String> agiAddresses,
                               String memoKey, boolean confirm, int maxCallSeconds) {

    /** Without a call duration limit. */
    public OriginateRequest(String callbackId, int attempt, String channelId, String context, String connectContext,
                            Duration timeout, String callerId, List<String> agiAddresses, String memoKey,
                            boolean confirm) {
        this(callbackId, attempt, channelId, context, connectContext, timeout, callerId, agiAddresses, memoKey, confirm,
                0);
    }

    public OriginateRequest {
        Objects.requireNonNull(callbackId, "callbackId");
        Objects.requireNonNull(channelId, "channelId");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(connectContext, "connectContext");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(memoKey, "memoKey");
        agiAddresses = List.copyOf(agiAddresses);
        if (agiAddresses.isEmpty()) {
            throw new IllegalArgumentException("at least one FastAGI address");
        }
        if (maxCallSeconds < 0) {
            throw new IllegalArgumentException("maxCallSeconds must be 0 (no limit) or more");
        }
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1");
        }
        // these go into AMI headers: a CR/LF would let a value inject headers or a whole action, and a
        // comma would split an Originate Variable header into two variables
        for (String v : new String[]{callbackId, channelId, context, connectContext, callerId, memoKey}) {
            if (v != null && (v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0)) {
                throw new IllegalArgumentException("line break in an originate field");
            }
        }
        for (String v : agiAddresses) {
            if (v.isBlank() || v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0 || v.indexOf(',') >= 0) {
                throw new IllegalArgumentException("not a FastAGI address: " + v);
            }
        }
        if (memoKey.indexOf(',') >= 0) {
            throw new IllegalArgumentException("comma in the memo key");
        }
    }
}
