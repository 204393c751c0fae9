package io.huibo.pbx.ami;

import io.huibo.pbx.*;
import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;
import org.asteriskjava.manager.event.DialBeginEvent;
import org.asteriskjava.manager.event.DialEndEvent;
import org.asteriskjava.manager.event.HangupEvent;
import org.asteriskjava.manager.event.ManagerEvent;
import org.asteriskjava.manager.event.NewStateEvent;
import org.asteriskjava.manager.event.OriginateResponseEvent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class CallTrackerTest {
    private static final String CB = "01JCALLBACK0000000000000001";
    private static final String C = "hb-" + CB + "-1";
    private static final String C2 = C + ";2";
    private static final String A_CHAN = "1795630271.10";
    private static final String B_CHAN = "1795630271.11";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final List<AttemptResult> results = new ArrayList<>();
    private CallTracker tracker;

    @BeforeEach
    void setUp() {
        tracker = newTracker();
    }

    private CallTracker newTracker() {
        CallTracker t = new CallTracker("node1", clock, Duration.ofHours(1));
        t.onResult(results::add);
        return t;
    }

    // ------------------------------------------------------------ event builders (asterisk-java objects)

    static OriginateResponseEvent originateResponse(String uniqueid, String actionId, boolean success, int reason) {
        OriginateResponseEvent e = new OriginateResponseEvent("test");
        e.setUniqueId(uniqueid);
        e.setActionId(actionId);
        e.setResponse(success ? "Success" : "Failure");
        e.setReason(reason);
        e.setChannel("Local/s@huibo-leg-a");
        return e;
    }

    static DialBeginEvent dialBegin(String caller, String dest) {
        DialBeginEvent e = new DialBeginEvent("test");
        e.setUniqueId(caller);
        e.setDestUniqueId(dest);
        e.setLinkedId(C);
        return e;
    }

    static DialEndEvent dialEnd(String caller, String dest, String status) {
        DialEndEvent e = new DialEndEvent("test");
        e.setUniqueId(caller);
        e.setDestUniqueId(dest);
        e.setDialStatus(status);
        e.setLinkedId(C);
        return e;
    }

    static NewStateEvent up(String uniqueid) {
        NewStateEvent e = new NewStateEvent("test");
        e.setUniqueId(uniqueid);
        e.setChannelState(6);
        e.setChannelStateDesc("Up");
        return e;
    }

    static HangupEvent hangup(String uniqueid, int cause, String linkedid) {
        HangupEvent e = new HangupEvent("test");
        e.setUniqueId(uniqueid);
        e.setCause(cause);
        e.setLinkedId(linkedid);
        return e;
    }

    private void feed(ManagerEvent... events) {
        for (ManagerEvent e : events) {
            clock.advance(Duration.ofMillis(10));
            tracker.accept(e);
        }
    }

    private AttemptResult only() {
        assertThat(results).hasSize(1);
        assertThat(tracker.isTracked(C)).isFalse();
        return results.get(0);
    }

    /** The full answered call through the Local channel of dialplan/huibo.conf, in the natural order. */
    private List<ManagerEvent> connectedCall() {
        return List.of(
                dialBegin(null, C),                    // the Originate's own dial of Local ;1
                dialBegin(C2, A_CHAN),                 // ;2 dials leg A
                dialEnd(C2, A_CHAN, "ANSWER"),
                up(C2),
                up(C),
                dialEnd(null, C, "ANSWER"),
                originateResponse(C, C, true, 4),
                dialBegin(C, B_CHAN),                  // ;1 in huibo-connect dials leg B
                dialEnd(C, B_CHAN, "ANSWER"),
                hangup(B_CHAN, 16, C),
                hangup(A_CHAN, 16, C),
                hangup(C2, 16, C),
                hangup(C, 16, C));
    }

    @Test
    void answeredAndConnected() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30));
        feed(connectedCall().toArray(ManagerEvent[]::new));
        AttemptResult r = only();
        assertThat(r.outcome()).isEqualTo(Outcome.CONNECTED);
        assertThat(r.failedLeg()).isNull();
        assertThat(r.callbackId()).isEqualTo(CB);
        assertThat(r.attempt()).isEqualTo(1);
        assertThat(r.nodeId()).isEqualTo("node1");
        assertThat(r.answeredAt()).isNotNull().isBefore(r.endedAt());
        assertThat(r.hangupCause()).isEqualTo(16);
    }

    /**
     * Any order that respects the one causal constraint (the originated channel's DialEnd to B comes
     * before its own Hangup) gives the same single result; an OriginateResponse after the Hangup is
     * waited for briefly.
     */
    @Test
    void connectedInShuffledOrders() {
        Random rnd = new Random(42);
        for (int i = 0; i < 200; i++) {
            results.clear();
            tracker = newTracker();
            tracker.track(C, CB, 1, Duration.ofSeconds(30));
            List<ManagerEvent> events = new ArrayList<>(connectedCall());
            Collections.shuffle(events, rnd);
            int bEnd = indexOf(events, DialEndEvent.class, C);
            int ownHangup = indexOf(events, HangupEvent.class, C);
            if (bEnd > ownHangup) {
                Collections.swap(events, bEnd, ownHangup);
            }
            feed(events.toArray(ManagerEvent[]::new));
            clock.advance(Duration.ofSeconds(2));
            tracker.expire();
            assertThat(results).as("order " + i).hasSize(1);
            assertThat(results.get(0).outcome()).as("order " + i).isEqualTo(Outcome.CONNECTED);
            assertThat(results.get(0).answeredAt()).isNotNull();
        }
    }

    private static int indexOf(List<ManagerEvent> events, Class<?> type, String uniqueid) {
        for (int i = 0; i < events.size(); i++) {
            ManagerEvent e = events.get(i);
            if (type.isInstance(e) && (e instanceof DialEndEvent d ? uniqueid.equals(d.getUniqueId())
                    : uniqueid.equals(((HangupEvent) e).getUniqueId()))) {
                return i;
            }
        }
        throw new AssertionError("missing " + type.getSimpleName());
    }

    @Test
    void legBBusy() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30));
        // two-leg-b-busy order: OriginateResponse before A's Newstate Up; A's Hangup takes over cause 17
        feed(originateResponse(C, C, true, 4), up(C), dialBegin(C, B_CHAN), dialEnd(C, B_CHAN, "BUSY"),
                hangup(B_CHAN, 17, C), hangup(C, 17, C));
        AttemptResult r = only();
        assertThat(r.outcome()).isEqualTo(Outcome.BUSY);
        assertThat(r.failedLeg()).isEqualTo(Leg.B);
        assertThat(r.hangupCause()).isEqualTo(17);
        assertThat(r.answeredAt()).isNotNull();
    }

    @Test
    void legBNoAnswerWithBHangupAfterTheOwnOne() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30));
        // two-leg-b-noanswer: bob's Hangup (cause 0) comes after alice's
        feed(up(C), originateResponse(C, C, true, 4), dialBegin(C, B_CHAN), dialEnd(C, B_CHAN, "NOANSWER"),
                hangup(C, 16, C), hangup(B_CHAN, 0, C));
        AttemptResult r = only();
        assertThat(r.outcome()).isEqualTo(Outcome.NO_ANSWER);
        assertThat(r.failedLeg()).isEqualTo(Leg.B);
    }

    @Test
    void answeredButRouteForBFailed() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30));
        feed(originateResponse(C, C, true, 4), up(C), hangup(C, 38, C));
        AttemptResult r = only();
        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.failedLeg()).isEqualTo(Leg.B);
        assertThat(r.hangupCause()).isEqualTo(38);
    }

    @Test
    void legAHangingUpDuringTheConfirmationPromptIsNoAnswerOnA() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30), true);
        // leg A answers, hears "press 1", hangs up: everything ends with its cause 16, B is never dialed
        feed(dialBegin(C2, A_CHAN), dialEnd(C2, A_CHAN, "ANSWER"), up(C), originateResponse(C, C, true, 4),
                hangup(A_CHAN, 16, C), hangup(C2, 16, C), hangup(C, 16, C));
        AttemptResult r = only();
        assertThat(r.outcome()).isEqualTo(Outcome.NO_ANSWER);
        assertThat(r.failedLeg()).isEqualTo(Leg.A);
        assertThat(r.detail()).contains("did not confirm");
    }

    @Test
    void pjsipBusyAsReasonZeroWithDialEndBusyBefore() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30));
        feed(dialBegin(C2, A_CHAN), dialEnd(C2, A_CHAN, "BUSY"), hangup(A_CHAN, 17, C), hangup(C2, 17, C),
                originateResponse(C, C, false, 0), hangup(C, 16, C));
        AttemptResult r = only();
        assertThat(r.outcome()).isEqualTo(Outcome.BUSY);
        assertThat(r.failedLeg()).isEqualTo(Leg.A);
        assertThat(r.hangupCause()).isEqualTo(17);
        assertThat(r.answeredAt()).isNull();
    }

    @Test
    void directOriginateBusyLikeThePjsipChannelIdTrace() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30));
        // ami-originate-pjsip-busy-channelid: DialBegin, OriginateResponse 0, DialEnd BUSY, Hangup 17
        feed(dialBegin(null, C), originateResponse(C, "t1", false, 0), dialEnd(null, C, "BUSY"), hangup(C, 17, C));
        AttemptResult r = only();
        assertThat(r.outcome()).isEqualTo(Outcome.BUSY);
        assertThat(r.failedLeg()).isEqualTo(Leg.A);
    }

    @Test
    void failureWithUnknownUniqueidIsMatchedByActionIdAndEndsAtOnce() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30));
        tracker.track("hb-OTHER-1", "OTHER", 1, Duration.ofSeconds(30));
        feed(originateResponse("<unknown>", C, false, 0));
        assertThat(results).hasSize(1);
        AttemptResult r = results.get(0);
        assertThat(r.channelId()).isEqualTo(C);
        assertThat(r.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(r.failedLeg()).isEqualTo(Leg.A);
        assertThat(r.endedAt()).isNotNull();
        assertThat(tracker.tracked()).containsExactly("hb-OTHER-1");
    }

    @Test
    void busyReasonFiveWithUnknownUniqueid() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30));
        feed(originateResponse("<unknown>", C, false, 5));
        assertThat(only().outcome()).isEqualTo(Outcome.BUSY);
    }

    @Test
    void congestionWithHangupBeforeOriginateResponse() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30));
        feed(dialBegin(null, C), dialEnd(null, C, "CONGESTION"), hangup(C, 34, C));
        assertThat(results).as("waits briefly for the OriginateResponse").isEmpty();
        feed(originateResponse(C, C, false, 0));
        AttemptResult r = only();
        assertThat(r.outcome()).isEqualTo(Outcome.CONGESTION);
        assertThat(r.hangupCause()).isEqualTo(34);
    }

    @Test
    void hangupWithoutOriginateResponseEndsAfterTheLinger() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30));
        feed(hangup(C, 19, C));
        tracker.expire();
        assertThat(results).isEmpty();
        clock.advance(CallTracker.HANGUP_LINGER);
        tracker.expire();
        assertThat(only().outcome()).isEqualTo(Outcome.NO_ANSWER);
    }

    @Test
    void failedOriginateWithAChannelButNoHangupEndsAfterTheLinger() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30));
        feed(originateResponse(C, C, false, 3));
        assertThat(results).isEmpty();
        clock.advance(CallTracker.FAILED_LINGER);
        tracker.expire();
        AttemptResult r = only();
        assertThat(r.outcome()).isEqualTo(Outcome.NO_ANSWER);
        assertThat(r.detail()).contains("no Hangup");
    }

    @Test
    void silenceAtTheSafetyDeadlineAsksTheNodeInsteadOfEndingTheAttempt() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30));
        clock.advance(Duration.ofSeconds(59));
        assertThat(tracker.expire()).isFalse();
        clock.advance(Duration.ofSeconds(2));
        assertThat(tracker.expire()).as("the deadline asks for a CoreShowChannels").isTrue();
        assertThat(results).isEmpty();
        assertThat(tracker.expire()).as("asked once, not on every tick").isFalse();
        clock.advance(CallTracker.ASK_RETRY);
        assertThat(tracker.expire()).as("asked again when the node could not answer").isTrue();
        assertThat(tracker.isTracked(C)).isTrue();
    }

    @Test
    void silentAttemptStillListedAtItsDeadlineKeepsBeingTracked() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30));
        clock.advance(Duration.ofSeconds(61));
        assertThat(tracker.expire()).isTrue();
        assertThat(tracker.reconcile(List.of(ringing(C)), clock.instant())).isEmpty();
        clock.advance(CallTracker.ASK_RETRY);
        assertThat(tracker.expire()).as("a listed attempt is asked about later, not at once").isFalse();
        clock.advance(CallTracker.RECHECK);
        assertThat(tracker.expire()).isTrue();
        assertThat(results).isEmpty();
        assertThat(tracker.isTracked(C)).isTrue();
    }

    @Test
    void silentAttemptGoneAtItsDeadlineEndsUnobservedWithWhatWasSeen() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30));
        feed(dialBegin(C2, A_CHAN));
        clock.advance(Duration.ofSeconds(61));
        assertThat(tracker.expire()).isTrue();
        assertThat(tracker.reconcile(List.of(), clock.instant())).containsExactly(C);
        assertThat(results).as("its Hangup may still be on its way").isEmpty();
        clock.advance(CallTracker.GONE_LINGER);
        tracker.expire();
        AttemptResult r = only();
        assertThat(r.observed()).isFalse();
        assertThat(r.failedLeg()).isEqualTo(Leg.A);
        assertThat(r.answeredAt()).isNull();
        assertThat(r.detail()).contains("not live");
    }
    @Test
    void resultIsEmittedOnceAndLateEventsAreIgnored() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30));
        feed(connectedCall().toArray(ManagerEvent[]::new));
        feed(originateResponse(C, C, false, 0), hangup(C, 17, C), dialEnd(C, B_CHAN, "BUSY"));
        clock.advance(Duration.ofHours(2));
        tracker.expire();
        assertThat(only().outcome()).isEqualTo(Outcome.CONNECTED);
    }

    @Test
    void eventsOfOtherCallsDoNotTouchATrackedOne() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30));
        feed(originateResponse("hb-X-1", "hb-X-1", false, 0), hangup("hb-X-1", 17, "hb-X-1"),
                dialEnd("hb-X-1", "9.9", "BUSY"));
        assertThat(results).isEmpty();
        assertThat(tracker.isTracked(C)).isTrue();
    }

    @Test
    void adoptedCallEndsWithItsHangup() {
        assertThat(tracker.adopt(C, CB, 2, true, true)).isTrue();
        assertThat(tracker.adopt(C, CB, 2, true)).isFalse();
        feed(hangup(B_CHAN, 16, C), hangup(C, 16, C));
        AttemptResult r = only();
        assertThat(r.attempt()).isEqualTo(2);
        assertThat(r.outcome()).isEqualTo(Outcome.CONNECTED);
    }

    @Test
    void adoptedRingingCallGetsItsBResultLater() {
        tracker.adopt(C, CB, 1, true);
        feed(dialBegin(C, B_CHAN), dialEnd(C, B_CHAN, "NOANSWER"), hangup(C, 16, C));
        AttemptResult r = only();
        assertThat(r.outcome()).isEqualTo(Outcome.NO_ANSWER);
        assertThat(r.failedLeg()).isEqualTo(Leg.B);
    }

    @Test
    void reconcileFinishesOnlyOldAttemptsThatAreNotLiveAndThoseUnobserved() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30));
        tracker.track("hb-LIVE-1", "LIVE", 1, Duration.ofSeconds(30));
        clock.advance(Duration.ofSeconds(10));
        tracker.track("hb-NEW-1", "NEW", 1, Duration.ofSeconds(30));
        List<String> gone = tracker.reconcile(List.of(ringing("hb-LIVE-1"), ringing("hb-LIVE-1;2")), clock.instant());
        assertThat(gone).containsExactly(C);
        clock.advance(CallTracker.GONE_LINGER);
        tracker.expire();
        assertThat(results).extracting(AttemptResult::channelId).containsExactly(C);
        assertThat(results.get(0).detail()).contains("not live");
        assertThat(results.get(0).observed()).isFalse();
        assertThat(tracker.tracked()).containsExactlyInAnyOrder("hb-LIVE-1", "hb-NEW-1");
    }

    // ------------------------------------------------------------ defect 3: events lost across a reconnect

    /** The OriginateResponse and leg A's DialEnd were lost; the Dial to leg B still says A answered. */
    @Test
    void dialFromTheOriginatedChannelMeansLegAAnswered() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30));
        feed(dialBegin(C, B_CHAN));
        clock.advance(Duration.ofSeconds(61));
        tracker.expire();
        assertThat(results).as("no end at the ring deadline: the call is up").isEmpty();
        feed(dialEnd(C, B_CHAN, "ANSWER"), hangup(B_CHAN, 16, C), hangup(C, 16, C));
        AttemptResult r = only();
        assertThat(r.outcome()).isEqualTo(Outcome.CONNECTED);
        assertThat(r.answeredAt()).isNotNull();
        assertThat(r.observed()).isTrue();
    }

    @Test
    void listingAfterAReconnectTellsThatLegAAnswered() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30));
        feed(dialBegin(C2, A_CHAN));
        clock.advance(Duration.ofSeconds(20));
        // A answered while the connection was down: the ;2 half is Up, bridged to leg A
        tracker.reconcile(List.of(up(C, null), up(C2, "bridge-a")), clock.instant());
        clock.advance(Duration.ofSeconds(45));
        tracker.expire();
        assertThat(results).as("answered: the ring deadline no longer applies").isEmpty();
        feed(hangup(C, 16, C));
        AttemptResult r = only();
        assertThat(r.answeredAt()).isNotNull();
        assertThat(r.failedLeg()).as("leg B was never dialed").isEqualTo(Leg.B);
    }

    @Test
    void listingOfABridgedOriginatedChannelMeansLegBAnswered() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30));
        clock.advance(Duration.ofSeconds(20));
        tracker.reconcile(List.of(up(C, "bridge-b"), up(C2, "bridge-a")), clock.instant());
        feed(hangup(C, 16, C));
        AttemptResult r = only();
        assertThat(r.outcome()).isEqualTo(Outcome.CONNECTED);
        assertThat(r.observed()).isTrue();
    }

    @Test
    void answeredAttemptWhoseEndWasLostAcrossAReconnectIsUnobserved() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30));
        feed(dialEnd(C2, A_CHAN, "ANSWER"), originateResponse(C, C, true, 4), dialBegin(C, B_CHAN));
        clock.advance(Duration.ofSeconds(30));
        // after the re-login the channel is gone: B's DialEnd and the Hangups were lost
        assertThat(tracker.reconcile(List.of(), clock.instant())).containsExactly(C);
        clock.advance(CallTracker.GONE_LINGER);
        tracker.expire();
        AttemptResult r = only();
        assertThat(r.observed()).isFalse();
        assertThat(r.answeredAt()).as("what was seen before").isNotNull();
        assertThat(r.detail()).contains("not live");
    }

    @Test
    void hangupThatTrailsTheListingIsStillAnObservedEnd() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30));
        feed(originateResponse(C, C, true, 4));
        clock.advance(Duration.ofSeconds(10));
        assertThat(tracker.reconcile(List.of(), clock.instant())).containsExactly(C);
        assertThat(results).isEmpty();
        feed(hangup(C, 16, C));
        AttemptResult r = only();
        assertThat(r.observed()).isTrue();
        assertThat(r.detail()).doesNotContain("not live");
    }

    @Test
    void endSeenBeforeTheListingIsNotMadeUnobserved() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30));
        clock.advance(Duration.ofSeconds(10));
        feed(hangup(C, 19, C));
        assertThat(tracker.reconcile(List.of(), clock.instant())).isEmpty();
        clock.advance(CallTracker.HANGUP_LINGER);
        tracker.expire();
        AttemptResult r = only();
        assertThat(r.observed()).isTrue();
        assertThat(r.outcome()).isEqualTo(Outcome.NO_ANSWER);
    }

    private static LiveChannel ringing(String uniqueid) {
        return new LiveChannel("Local/s@huibo-leg-a-00000001;1", uniqueid, C, 5, "AppDial", "", Duration.ofSeconds(3));
    }

    private static LiveChannel up(String uniqueid, String bridgeId) {
        return new LiveChannel("Local/s@huibo-leg-a-00000001;1", uniqueid, C, 6, "Dial", bridgeId,
                Duration.ofSeconds(20));
    }

    @Test
    void forgetEmitsNothingAndRejectedEmitsAFailure() {
        tracker.track(C, CB, 1, Duration.ofSeconds(30));
        tracker.track("hb-R-1", "R", 1, Duration.ofSeconds(30));
        assertThat(tracker.forget(C)).isTrue();
        tracker.rejected("hb-R-1", "Originate failed");
        assertThat(results).hasSize(1);
        assertThat(results.get(0).channelId()).isEqualTo("hb-R-1");
        assertThat(results.get(0).outcome()).isEqualTo(Outcome.FAILED);
        assertThat(results.get(0).failedLeg()).isEqualTo(Leg.A);
        assertThat(results.get(0).detail()).contains("Originate failed");
        assertThat(tracker.size()).isZero();
    }

    // ------------------------------------------------------------ real recordings, parsed by asterisk-java

    private List<AttemptResult> replay(Path file, List<String> channelIds) throws Exception {
        for (String id : channelIds) {
            tracker.track(id, id, 1, Duration.ofSeconds(30));
        }
        for (ManagerEvent e : AmiTrace.events(file)) {
            tracker.accept(e);
        }
        clock.advance(Duration.ofSeconds(5));
        tracker.expire();
        return results;
    }

    @Test
    void twoLegAnsweredTrace() throws Exception {
        List<AttemptResult> r = replay(AmiTrace.ROOT.resolve("extra/two-leg-answered.txt"), List.of("cb-200-1"));
        assertThat(r).hasSize(1);
        assertThat(r.get(0).outcome()).isEqualTo(Outcome.CONNECTED);
        assertThat(r.get(0).answeredAt()).isNotNull();
        assertThat(r.get(0).detail()).contains("bDial=ANSWER").doesNotContain("no Hangup");
    }

    @Test
    void twoLegBBusyTrace() throws Exception {
        List<AttemptResult> r = replay(AmiTrace.ROOT.resolve("extra/two-leg-b-busy.txt"), List.of("cb-200-1"));
        assertThat(r).hasSize(1);
        assertThat(r.get(0).outcome()).isEqualTo(Outcome.BUSY);
        assertThat(r.get(0).failedLeg()).isEqualTo(Leg.B);
        assertThat(r.get(0).hangupCause()).isEqualTo(17);
    }

    @Test
    void twoLegBNoAnswerTrace() throws Exception {
        List<AttemptResult> r = replay(AmiTrace.ROOT.resolve("extra/two-leg-b-noanswer.txt"), List.of("cb-200-1"));
        assertThat(r).hasSize(1);
        assertThat(r.get(0).outcome()).isEqualTo(Outcome.NO_ANSWER);
        assertThat(r.get(0).failedLeg()).isEqualTo(Leg.B);
    }

    @Test
    void asteriskJavaSessionTraceLocalChannelAnsweredWithoutBDial() throws Exception {
        List<AttemptResult> r = replay(AmiTrace.ROOT.resolve("extra/ajava-session.txt"), List.of("cb-123-1"));
        assertThat(r).hasSize(1);
        assertThat(r.get(0).answeredAt()).isNotNull();
        assertThat(r.get(0).failedLeg()).isEqualTo(Leg.B);
        assertThat(r.get(0).hangupCause()).isEqualTo(16);
    }

    /** 94 direct PJSIP originates (single, 50 answered, 40 mixed): leg A's outcome by the number's last digit. */
    @Test
    void pjsipTrunkTracesByLastDigit() throws Exception {
        for (String run : List.of("ami-s", "ami-callee-bye", "ami-caller-bye")) {
            results.clear();
            tracker = newTracker();
            Path dir = AmiTrace.ROOT.resolve("pjsip-trunk").resolve(run);
            List<String> ids = new ArrayList<>();
            java.util.Map<String, Character> lastDigit = new java.util.HashMap<>();
            for (AmiTrace.Message m : AmiTrace.messages(AmiTrace.read(dir.resolve("ami.sent.txt")).replace("\n", "\r\n")
                    .replace("\r\r\n", "\r\n"))) {
                if ("Originate".equalsIgnoreCase(m.get("action"))) {
                    String ch = m.get("channel");
                    String number = ch.substring(ch.indexOf('/') + 1, ch.indexOf('@'));
                    ids.add(m.get("channelid"));
                    lastDigit.put(m.get("channelid"), number.charAt(number.length() - 1));
                }
            }
            List<AttemptResult> r = replay(dir.resolve("ami.txt"), ids);
            assertThat(r).as(run).hasSize(ids.size());
            for (AttemptResult a : r) {
                char d = lastDigit.get(a.channelId());
                switch (d) {
                    case '7' -> assertThat(a.outcome()).as(a.toString()).isEqualTo(Outcome.BUSY);
                    case '8' -> assertThat(a.outcome()).as(a.toString()).isEqualTo(Outcome.NO_ANSWER);
                    case '9' -> assertThat(a.outcome()).as(a.toString()).isEqualTo(Outcome.CONGESTION);
                    default -> {
                        // a single-leg originate: A answered, and no leg B was dialed after it
                        assertThat(a.answeredAt()).as(a.toString()).isNotNull();
                        assertThat(a.failedLeg()).as(a.toString()).isEqualTo(Leg.B);
                    }
                }
                if (d == '7' || d == '8' || d == '9') {
                    assertThat(a.failedLeg()).isEqualTo(Leg.A);
                    assertThat(a.answeredAt()).isNull();
                }
            }
        }
    }

    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
