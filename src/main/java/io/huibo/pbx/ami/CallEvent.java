package io.huibo.pbx.ami;

import io.huibo.pbx.AttemptResult;
import io.huibo.pbx.OutcomeClassifier;
import org.asteriskjava.manager.event.DialBeginEvent;
import org.asteriskjava.manager.event.DialEndEvent;
import org.asteriskjava.manager.event.HangupEvent;
import org.asteriskjava.manager.event.ManagerEvent;
import org.asteriskjava.manager.event.NewStateEvent;
import org.asteriskjava.manager.event.OriginateResponseEvent;

import java.time.Instant;
import java.util.Optional;

/**
 * The call-related AMI events Huibo cares about, copied out of asterisk-java's mutable beans into an
 * immutable value the moment they arrive (on asterisk-java's event thread), so nothing downstream
 * touches asterisk-java objects. Fields that an event type does not carry are null.
 *
 * @param uniqueid     Uniqueid of the event's (caller) channel; for DialBegin/DialEnd the caller side,
 *                     which is absent for an Originate's own dial
 * @param destUniqueid DialBegin/DialEnd: the dialed channel
 * @param actionId     OriginateResponse: the application part of the ActionID (asterisk-java strips
 *                     its own prefix), which AmiNode sets to the ChannelId
 */
public record CallEvent(String nodeId, Kind kind, Instant at, String channel, String uniqueid, String linkedid,
                        String destChannel, String destUniqueid, String actionId, String response,
                        Integer reason, String dialStatus, Integer channelState, Integer cause, String causeText) {

    public enum Kind { ORIGINATE_RESPONSE, DIAL_BEGIN, DIAL_END, NEW_STATE, HANGUP }

    /** Asterisk channel state 6. */
    public static final int STATE_UP = 6;

    public boolean isUp() {
        return channelState != null && channelState == STATE_UP;
    }

    public boolean originateSucceeded() {
        return "Success".equalsIgnoreCase(response);
    }

    /** Converts the asterisk-java event, or empty if it is not one Huibo correlates. */
    public static Optional<CallEvent> from(String nodeId, ManagerEvent e, Instant at) {
        // DialEndEvent and DialBeginEvent both extend the legacy DialEvent, which asterisk-java also
        // delivers for every DialBegin: only the two specific classes are taken, so nothing counts twice.
        if (e instanceof OriginateResponseEvent o) {
            return Optional.of(new CallEvent(nodeId, Kind.ORIGINATE_RESPONSE, at, o.getChannel(),
                    clean(o.getUniqueId()), null, null, null, o.getActionId(), o.getResponse(), o.getReason(),
                    null, null, null, null));
        }
        if (e instanceof DialEndEvent d) {
            return Optional.of(new CallEvent(nodeId, Kind.DIAL_END, at, d.getChannel(), clean(d.getUniqueId()),
                    d.getLinkedId() != null ? d.getLinkedId() : d.getDestLinkedId(), d.getDestChannel(),
                    clean(d.getDestUniqueId()), null, null, null, d.getDialStatus(), d.getDestChannelState(),
                    null, null));
        }
        if (e instanceof DialBeginEvent d) {
            return Optional.of(new CallEvent(nodeId, Kind.DIAL_BEGIN, at, d.getChannel(), clean(d.getUniqueId()),
                    d.getLinkedId() != null ? d.getLinkedId() : d.getDestLinkedId(), d.getDestChannel(),
                    clean(d.getDestUniqueId()), null, null, null, null, d.getDestChannelState(), null, null));
        }
        if (e instanceof NewStateEvent s) {
            return Optional.of(new CallEvent(nodeId, Kind.NEW_STATE, at, s.getChannel(), clean(s.getUniqueId()),
                    s.getLinkedId(), null, null, null, null, null, null, s.getChannelState(), null, null));
        }
        if (e instanceof HangupEvent h) {
            return Optional.of(new CallEvent(nodeId, Kind.HANGUP, at, h.getChannel(), clean(h.getUniqueId()),
                    h.getLinkedId(), null, null, null, null, null, null, h.getChannelState(), h.getCause(),
                    h.getCauseTxt()));
        }
        return Optional.empty();
    }

    /** Asterisk writes {@code <unknown>} when a failed originate never had a channel. */
    private static String clean(String uniqueid) {
        if (uniqueid == null || uniqueid.isEmpty() || "<unknown>".equals(uniqueid)) {
            return null;
        }
        return uniqueid;
    }
}
