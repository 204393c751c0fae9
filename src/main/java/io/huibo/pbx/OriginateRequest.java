package io.huibo.pbx;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link AmiNode#originate} needs. No phone number: the dialplan asks Huibo for the dial strings
 * over FastAGI, so nothing a caller typed ever reaches the AMI action.
 *
 * @param channelId      {@code hb-<callbackId>-<attempt>}, becomes the Uniqueid of the originated channel
 * @param context        dialplan context of the Local channel's second half (huibo-leg-a)
 * @param connectContext where the originated half goes once leg A answered (huibo-connect)
 * @param timeout        how long leg A may ring (Originate {@code Timeout})
 * @param callerId       optional CallerID for leg A, may be null
 * @param agiAddress     host:port of a Huibo FastAGI server, handed to the dialplan in HUIBO_AGI
 * @param confirm        leg A must press 1 before leg B is dialed (HUIBO_CONFIRM=1)
 */
public record OriginateRequest(String callbackId, int attempt, String channelId, String context,
                               String connectContext, Duration timeout, String callerId, String agiAddress,
                               boolean confirm) {

    public OriginateRequest(String callbackId, int attempt, String channelId, String context,
                            String connectContext, Duration timeout, String callerId, String agiAddress) {
        this(callbackId, attempt, channelId, context, connectContext, timeout, callerId, agiAddress, false);
    }

    public OriginateRequest {
        Objects.requireNonNull(callbackId, "callbackId");
        Objects.requireNonNull(channelId, "channelId");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(connectContext, "connectContext");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(agiAddress, "agiAddress");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1");
        }
        // these go into AMI headers: a CR/LF would let a value inject headers or a whole action
        for (String v : new String[]{callbackId, channelId, context, connectContext, callerId, agiAddress}) {
            if (v != null && (v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0)) {
                throw new IllegalArgumentException("line break in an originate field");
            }
        }
    }
}
