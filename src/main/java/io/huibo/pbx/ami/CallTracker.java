package io.huibo.pbx.ami;

import io.huibo.logging.CallMdc;
import io.huibo.pbx.AttemptResult;
import io.huibo.pbx.LiveChannel;
import io.huibo.pbx.OutcomeClassifier;
import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;
import io.vertx.core.Handler;
import org.asteriskjava.manager.event.ManagerEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Correlates AMI events into one {@link AttemptResult} per attempt, keyed by our ChannelId
 * ({@code hb-<callbackId>-<attempt>}), which Asterisk uses as the Uniqueid of the originated channel.
 *
 * <p>Events arrive in any order (OriginateResponse is written directly while channel events go through
 * stasis), so every event only adds facts; the attempt ends on one of: the Hangup of the originated
 * channel, a failed OriginateResponse that names no channel, a failed OriginateResponse followed by no
 * Hangup within a short linger, or a reconciliation that no longer finds the channel on the node. Each
 * of these emits once; later events for that ChannelId are ignored.
 *
 * <p>No timer ends a call the node may still have up: events can be lost (an AMI reconnect while leg A
 * rings loses its answer), so a silent attempt's safety deadline only asks for a CoreShowChannels
 * ({@link #expire()} returns true). A channel still listed keeps being tracked, with what the listing
 * says (Up: leg A answered; bridged: leg B answered); one no longer listed ended unseen and is emitted
 * with {@code observed = false}, so the dispatcher asks the node's outcome memory before deciding.
 *
 * <p>Topology handled (dialplan/huibo.conf): the Originate's channel {@code Local/s@huibo-leg-a} has
 * Uniqueid = ChannelId (;1) and {@code ChannelId;2} for its second half. The ;2 half runs Dial() to leg A;
 * the ;1 half, once A answered, runs Dial() to leg B, so B's DialEnd has caller Uniqueid = ChannelId.
 * A direct originate (no Local channel) works too: then the Originate's own dial (DialEnd with only
 * Dest* fields, DestUniqueid = ChannelId) is leg A.
 *
 * <p>Not thread-safe by design: {@link AmiNode} calls it only on its Vert.x context, so the result
 * handler runs there as well.
 */
public final class CallTracker {
    private static final Logger log = LoggerFactory.getLogger(CallTracker.class);

    /** After a failed OriginateResponse that names a channel: how long to wait for its Hangup. */
    static final Duration FAILED_LINGER = Duration.ofSeconds(2);
    /** After the Hangup: how long to wait for a late OriginateResponse (it only refines the outcome). */
    static final Duration HANGUP_LINGER = Duration.ofSeconds(1);
    /** Beyond the ring timeout: how long an attempt may stay without any OriginateResponse. */
    static final Duration NO_RESPONSE_GRACE = Duration.ofSeconds(30);
    /** An attempt younger than this is never declared gone by a CoreShowChannels snapshot. */
    static final Duration RECONCILE_GRACE = Duration.ofSeconds(5);
    /**
     * A channel missing from a snapshot: how long its Hangup may still be on its way (Asterisk removes a
     * channel from the list before stasis delivers its Hangup event).
     */
    static final Duration GONE_LINGER = Duration.ofSeconds(2);
    /** A passed safety deadline asks the node again after this when the node could not be asked. */
    static final Duration ASK_RETRY = Duration.ofSeconds(5);
    /** A silent attempt the node still lists is asked about again after this. */
    static final Duration RECHECK = Duration.ofSeconds(30);

    private final String nodeId;
    private final Clock clock;
    private final Duration maxCallDuration;
    private final Map<String, Entry> byChannelId = new HashMap<>();
    /** Uniqueids of other channels of a tracked call (;2 half, A and B dial targets) -> role. */
    private final Map<String, Role> roles = new HashMap<>();
    private Handler<AttemptResult> handler = r -> { };

    private enum Part { LOCAL_HALF, A_DEST, B_DEST }

    /** What happens when an attempt's deadline passes. */
    private enum Due {
        /** Safety net for a silent attempt: ask the node whether the channel is still there. */
        ASK_NODE,
        /** Its Hangup was seen; a late OriginateResponse would only refine the outcome. */
        LATE_RESPONSE,
        /** A failed OriginateResponse was seen; its Hangup is overdue. */
        HANGUP_AFTER_FAILURE,
        /** The node no longer lists it and no Hangup came: it ended unseen. */
        UNSEEN_END
    }

    private record Role(Entry entry, Part part) {
    }

    public CallTracker(String nodeId, Clock clock, Duration maxCallDuration) {
        this.nodeId = nodeId;
        this.clock = clock;
        this.maxCallDuration = maxCallDuration;
    }

    public void onResult(Handler<AttemptResult> h) {
        this.handler = h == null ? r -> { } : h;
    }

    /** Starts tracking an attempt whose Originate is about to be sent. False if already tracked. */
    public boolean track(String channelId, String callbackId, int attempt, Duration ringTimeout) {
        return track(channelId, callbackId, attempt, ringTimeout, false);
    }

    /** As {@link #track(String, String, int, Duration)}; {@code confirm}: leg A is asked to press 1 first. */
    public boolean track(String channelId, String callbackId, int attempt, Duration ringTimeout, boolean confirm) {
        if (byChannelId.containsKey(channelId)) {
            return false;
        }
        Instant now = clock.instant();
        Entry e = new Entry(channelId, callbackId, attempt, now, false);
        e.confirm = confirm;
        e.due(Due.ASK_NODE, now.plus(ringTimeout).plus(NO_RESPONSE_GRACE), "no OriginateResponse");
        put(e);
        return true;
    }

    /**
     * Tracks a call found live on the node after a restart (reconciliation): it ends with its Hangup,
     * or when a later snapshot no longer lists it. False if already tracked.
     */
    public boolean adopt(String channelId, String callbackId, int attempt, boolean answeredHint) {
        return adopt(channelId, callbackId, attempt, answeredHint, false);
    }

    /**
     * As {@link #adopt(String, String, int, boolean)}; {@code bridgedHint} says the live channel was in a
     * bridge (CoreShowChannels BridgeId), i.e. leg B had answered before we lost its DialEnd.
     */
    public boolean adopt(String channelId, String callbackId, int attempt, boolean answeredHint,
                         boolean bridgedHint) {
        if (byChannelId.containsKey(channelId)) {
            return false;
        }
        Instant now = clock.instant();
        Entry e = new Entry(channelId, callbackId, attempt, now, true);
        e.answered = answeredHint || bridgedHint;
        if (bridgedHint) {
            e.bDialed = true;
            e.bDialStatus = "ANSWER";
        }
        e.due(Due.ASK_NODE, now.plus(maxCallDuration), "exceeded max call duration");
        put(e);
        return true;
    }

    /** Drops an attempt whose Originate never left this process: no result is emitted. */
    public boolean forget(String channelId) {
        Entry e = byChannelId.remove(channelId);
        if (e != null) {
            e.roleKeys.forEach(roles::remove);
        }
        return e != null;
    }

    /** Asterisk answered the Originate with an Error: nothing was dialed. */
    public void rejected(String channelId, String message) {
        Entry e = byChannelId.get(channelId);
        if (e != null) {
            e.rejected = message == null ? "rejected" : message;
            finish(e, "originate rejected: " + e.rejected, true);
        }
    }

    public boolean isTracked(String channelId) {
        return byChannelId.containsKey(channelId);
    }

    public Set<String> tracked() {
        return Set.copyOf(byChannelId.keySet());
    }

    public int size() {
        return byChannelId.size();
    }

    /** Convenience for tests and AmiNode: converts and applies an asterisk-java event. */
    public void accept(ManagerEvent event) {
        CallEvent.from(nodeId, event, clock.instant()).ifPresent(this::accept);
    }

    public void accept(CallEvent ev) {
        switch (ev.kind()) {
            case ORIGINATE_RESPONSE -> onOriginateResponse(ev);
            case NEW_STATE -> {
                // not needed (the shipped eventfilter leaves it out), but a node without the filter
                // sends it, and "Up" of our own channel is the same fact as Reason 4 / DialEnd ANSWER
                Entry e = own(ev.uniqueid());
                if (e != null && ev.isUp()) {
                    markAnswered(e, ev.at());
                }
            }
            case DIAL_BEGIN, DIAL_END -> onDial(ev);
            case HANGUP -> onHangup(ev);
            default -> { }
        }
    }

    /**
     * Ends attempts whose linger passed; AmiNode calls this periodically.
     *
     * @return true when a silent attempt's safety deadline passed: the caller should compare the node's
     *         live channels ({@link #reconcile}) soon; until then the attempt stays tracked
     */
    public boolean expire() {
        Instant now = clock.instant();
        boolean ask = false;
        for (Entry e : new ArrayList<>(byChannelId.values())) {
            if (e.deadline == null || now.isBefore(e.deadline)) {
                continue;
            }
            switch (e.due) {
                case ASK_NODE -> {
                    ask = true;
                    e.asked = true;
                    // a node that cannot be asked now is asked again later, not every tick
                    e.deadline = now.plus(ASK_RETRY);
                }
                case LATE_RESPONSE, HANGUP_AFTER_FAILURE -> finish(e, e.deadlineWhy, true);
                case UNSEEN_END -> finish(e, e.deadlineWhy, false);
                default -> { }
            }
        }
        return ask;
    }

    /**
     * Compares tracked attempts with the node's live channels (CoreShowChannels taken at
     * {@code snapshotAt}). A listed attempt learns what the listing shows (its channel or the Local
     * channel's second half Up: leg A answered; its channel bridged: leg B answered), which events lost
     * across a reconnect would have told. An attempt older than a short grace that is not listed ended
     * while we were not listening: unless its Hangup turns up within {@link #GONE_LINGER}, it is
     * finished unobserved with what was seen before.
     *
     * @return the ChannelIds found gone
     */
    public List<String> reconcile(Collection<LiveChannel> live, Instant snapshotAt) {
        Map<String, LiveChannel> byUniqueid = new HashMap<>();
        for (LiveChannel ch : live) {
            if (ch.uniqueid() != null) {
                byUniqueid.put(ch.uniqueid(), ch);
            }
        }
        Instant now = clock.instant();
        List<String> gone = new ArrayList<>();
        for (Entry e : new ArrayList<>(byChannelId.values())) {
            LiveChannel own = byUniqueid.get(e.channelId);
            LiveChannel half = byUniqueid.get(e.channelId + ";2");
            if (own != null || half != null) {
                applyListing(e, own, half, snapshotAt);
                continue;
            }
            if (e.due != Due.ASK_NODE || !e.startedAt.isBefore(snapshotAt.minus(RECONCILE_GRACE))) {
                // its end was seen and lingers for details, or it may not have a channel yet
                continue;
            }
            gone.add(e.channelId);
            e.due(Due.UNSEEN_END, now.plus(GONE_LINGER),
                    "channel not live on node (ended while events were not received)");
        }
        return gone;
    }

    private void applyListing(Entry e, LiveChannel own, LiveChannel half, Instant at) {
        // the originated channel is answered only when leg A is, and Dial answers the ;2 half when A
        // answers; the originated channel is bridged only by its Dial to leg B
        if (isUp(own) || isUp(half) || bridged(half)) {
            markAnswered(e, at);
        }
        if (bridged(own)) {
            markAnswered(e, at);
            e.bDialed = true;
            if (e.bDialStatus == null) {
                e.bDialStatus = "ANSWER";
            }
        }
        if (e.due == Due.ASK_NODE && e.asked) {
            e.asked = false;
            e.deadline = clock.instant().plus(RECHECK);
        }
    }

    private static boolean isUp(LiveChannel ch) {
        return ch != null && ch.state() == CallEvent.STATE_UP;
    }

    private static boolean bridged(LiveChannel ch) {
        return ch != null && ch.bridgeId() != null && !ch.bridgeId().isBlank();
    }

    private void onOriginateResponse(CallEvent ev) {
        Entry e = ev.uniqueid() != null ? own(ev.uniqueid()) : null;
        if (e == null && ev.actionId() != null) {
            e = byChannelId.get(ev.actionId());
        }
        if (e == null) {
            return;
        }
        e.responseSeen = true;
        e.reason = ev.reason();
        if (ev.originateSucceeded() || (ev.reason() != null && ev.reason() == OutcomeClassifier.REASON_ANSWERED)) {
            markAnswered(e, ev.at());
            if (e.hungUp) {
                finish(e, null, true);
            }
            return;
        }
        if (e.hungUp || ev.uniqueid() == null) {
            // no channel was ever created (Uniqueid <unknown>), or its Hangup already came
            finish(e, null, true);
            return;
        }
        e.due(Due.HANGUP_AFTER_FAILURE, ev.at().plus(FAILED_LINGER), "no Hangup after failed originate");
    }

    private void onDial(CallEvent ev) {
        boolean end = ev.kind() == CallEvent.Kind.DIAL_END;
        String caller = ev.uniqueid();
        if (caller != null) {
            Entry e = own(caller);
            if (e != null) {
                // the originated channel dials: that is leg B, so leg A answered (even when its
                // OriginateResponse and DialEnd were lost, e.g. across an AMI reconnect)
                markAnswered(e, ev.at());
                e.bDialed = true;
                if (ev.destUniqueid() != null) {
                    addRole(e, ev.destUniqueid(), Part.B_DEST);
                }
                if (end) {
                    e.bDialStatus = ev.dialStatus();
                }
                return;
            }
            Role r = roles.get(caller);
            if (r != null && r.part() == Part.LOCAL_HALF) {
                // the Local channel's second half dials leg A
                if (ev.destUniqueid() != null) {
                    addRole(r.entry(), ev.destUniqueid(), Part.A_DEST);
                }
                if (end) {
                    r.entry().localDialStatus = ev.dialStatus();
                    if ("ANSWER".equalsIgnoreCase(ev.dialStatus())) {
                        markAnswered(r.entry(), ev.at());
                    }
                }
            }
            return;
        }
        // no caller side: the Originate's own dial of the originated channel
        Entry e = own(ev.destUniqueid());
        if (e != null && end) {
            e.originateDialStatus = ev.dialStatus();
            if ("ANSWER".equalsIgnoreCase(ev.dialStatus())) {
                markAnswered(e, ev.at());
            }
        }
    }

    private void onHangup(CallEvent ev) {
        String u = ev.uniqueid();
        if (u == null) {
            return;
        }
        Entry e = byChannelId.get(u);
        if (e != null) {
            e.hungUp = true;
            e.hungUpAt = ev.at();
            e.ownCause = ev.cause();
            if (e.responseSeen || e.answered || e.adopted || e.rejected != null) {
                finish(e, null, true);
            } else {
                // the OriginateResponse can trail the Hangup (seen with congestion): wait a moment for it
                e.due(Due.LATE_RESPONSE, ev.at().plus(HANGUP_LINGER), null);
            }
            return;
        }
        Role r = roles.get(u);
        if (r == null) {
            r = linkedFallback(ev);
        }
        if (r == null) {
            return;
        }
        switch (r.part()) {
            case LOCAL_HALF -> {
                if (r.entry().localHalfCause == null) {
                    r.entry().localHalfCause = ev.cause();
                }
            }
            case A_DEST -> r.entry().aCause = ev.cause();
            case B_DEST -> r.entry().bCause = ev.cause();
            default -> { }
        }
    }

    /** A Hangup of a channel we never saw dialed but whose Linkedid is one of ours. */
    private Role linkedFallback(CallEvent ev) {
        if (ev.linkedid() == null) {
            return null;
        }
        Entry e = byChannelId.get(ev.linkedid());
        if (e == null) {
            return null;
        }
        return new Role(e, e.answered ? Part.B_DEST : Part.A_DEST);
    }

    private Entry own(String uniqueid) {
        if (uniqueid == null) {
            return null;
        }
        return byChannelId.get(uniqueid);
    }

    private void markAnswered(Entry e, Instant at) {
        if (!e.answered || e.answeredAt == null) {
            e.answered = true;
            if (e.answeredAt == null || at.isBefore(e.answeredAt)) {
                e.answeredAt = at;
            }
        }
        if (!e.hungUp && e.due == Due.ASK_NODE) {
            e.due(Due.ASK_NODE, e.startedAt.plus(maxCallDuration), "exceeded max call duration");
        }
    }

    private void put(Entry e) {
        byChannelId.put(e.channelId, e);
        addRole(e, e.channelId + ";2", Part.LOCAL_HALF);
    }

    private void addRole(Entry e, String uniqueid, Part part) {
        if (uniqueid.equals(e.channelId)) {
            return;
        }
        roles.put(uniqueid, new Role(e, part));
        e.roleKeys.add(uniqueid);
    }

    private void finish(Entry e, String why, boolean observed) {
        if (byChannelId.remove(e.channelId) == null) {
            return;
        }
        e.roleKeys.forEach(roles::remove);
        Instant now = clock.instant();
        AttemptResult result;
        if (e.rejected != null) {
            result = new AttemptResult(e.channelId, e.callbackId, e.attempt, nodeId, Outcome.FAILED, Leg.A, null,
                    null, now, why, true);
        } else {
            String aStatus = e.localDialStatus != null ? e.localDialStatus : e.originateDialStatus;
            Integer aCause = e.aCause != null ? e.aCause : e.localHalfCause;
            var c = OutcomeClassifier.classify(new OutcomeClassifier.Facts(e.reason, e.answered, aStatus, aCause,
                    e.bDialed, e.bDialStatus, e.bCause, e.ownCause, e.confirm));
            String detail = why == null ? c.detail() : c.detail() + "; " + why;
            result = new AttemptResult(e.channelId, e.callbackId, e.attempt, nodeId, c.outcome(), c.failedLeg(),
                    c.hangupCause(), e.answeredAt, e.hungUpAt != null ? e.hungUpAt : now, detail, observed);
        }
        try (CallMdc m = CallMdc.of(e.callbackId, e.attempt, nodeId, e.channelId)) {
            try {
                handler.handle(result);
            } catch (RuntimeException ex) {
                log.error("attempt result handler failed for {}", e.channelId, ex);
            }
        }
    }

    /** Mutable facts of one attempt; confined to the tracker's thread. */
    private static final class Entry {
        final String channelId;
        final String callbackId;
        final int attempt;
        final Instant startedAt;
        final boolean adopted;
        final List<String> roleKeys = new ArrayList<>(3);
        boolean responseSeen;
        Integer reason;
        boolean answered;
        Instant answeredAt;
        String originateDialStatus;
        String localDialStatus;
        Integer localHalfCause;
        Integer aCause;
        boolean bDialed;
        String bDialStatus;
        Integer bCause;
        boolean hungUp;
        Instant hungUpAt;
        Integer ownCause;
        String rejected;
        Due due;
        Instant deadline;
        String deadlineWhy;
        /** Its safety deadline passed and the node was asked; reset when a listing shows it live. */
        boolean asked;
        boolean confirm;

        Entry(String channelId, String callbackId, int attempt, Instant startedAt, boolean adopted) {
            this.channelId = channelId;
            this.callbackId = callbackId;
            this.attempt = attempt;
            this.startedAt = startedAt;
            this.adopted = adopted;
        }

        void due(Due what, Instant at, String why) {
            due = what;
            deadline = at;
            deadlineWhy = why;
            asked = false;
        }
    }
}
