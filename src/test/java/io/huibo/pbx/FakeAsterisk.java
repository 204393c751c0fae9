package io.huibo.pbx;

import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One PBX in memory, shared by the {@link FakePbxNode} connections several in-process Huibo instances
 * have to it (as each instance has its own AMI session to the same Asterisk): its live calls, what its
 * dialplan remembers, and every Originate it ever received. The test makes the calls progress; a call's
 * end is reported to whichever connection follows it at that moment, and to nobody when none does.
 */
public final class FakeAsterisk {
    private final String id;
    private final int maxCalls;
    private final Map<String, LiveChannel> live = new ConcurrentHashMap<>();
    private final Map<String, OutcomeMemory> memory = new ConcurrentHashMap<>();
    private final List<OriginateRequest> originates = new CopyOnWriteArrayList<>();
    private final List<FakePbxNode> connections = new CopyOnWriteArrayList<>();

    public FakeAsterisk(String id, int maxCalls) {
        this.id = id;
        this.maxCalls = maxCalls;
    }

    public String id() {
        return id;
    }

    int maxCalls() {
        return maxCalls;
    }

    void connected(FakePbxNode c) {
        if (!connections.contains(c)) {
            connections.add(c);
        }
    }

    /** Records an Originate and starts its call (ringing); false when the PBX is full. */
    boolean originate(OriginateRequest r) {
        if (live.size() >= maxCalls) {
            return false;
        }
        originates.add(r);
        live.put(r.channelId(), channel(r.channelId(), 0, null));
        return true;
    }

    List<LiveChannel> liveChannels() {
        return new ArrayList<>(live.values());
    }

    OutcomeMemory recall(String memoKey) {
        return memory.getOrDefault(memoKey, OutcomeMemory.NONE);
    }

    // ---------------------------------------------------------------- what the test makes happen

    /** Every Originate this PBX received, from any connection, in order. */
    public List<OriginateRequest> originates() {
        return List.copyOf(originates);
    }

    /** How many Originates carried this channel id (more than one: the same attempt dialed twice). */
    public long originatesOf(String channelId) {
        return originates.stream().filter(r -> r.channelId().equals(channelId)).count();
    }

    public boolean isLive(String channelId) {
        return live.containsKey(channelId);
    }

    /** Leg A answered: the originated channel is Up; the dialplan remembers it. */
    public void answer(String channelId) {
        live.computeIfPresent(channelId, (k, v) -> channel(k, 6, v.bridgeId()));
        rememberLeg(channelId, true, OutcomeMemory.ANSWER);
    }

    /** Leg B answered: the originated channel is Up and bridged; the dialplan remembers it. */
    public void bridge(String channelId) {
        live.computeIfPresent(channelId, (k, v) -> channel(k, 6, "bridge-" + k));
        rememberLeg(channelId, true, OutcomeMemory.ANSWER);
        rememberLeg(channelId, false, OutcomeMemory.ANSWER);
    }

    /** A call nobody originated through a fake connection (a previous owner's), live now. */
    public void addLive(String channelId, boolean up, boolean bridged) {
        live.put(channelId, channel(channelId, up || bridged ? 6 : 0, bridged ? "bridge-" + channelId : null));
    }

    /** Sets what the dialplan remembered of an attempt, replacing what it wrote itself. */
    public void remember(String memoKey, OutcomeMemory m) {
        memory.put(memoKey, m);
    }

    public OutcomeMemory memoryOf(String memoKey) {
        return recall(memoKey);
    }

    /**
     * The call ends: gone from the PBX, remembered (leg B's end, or leg A's when it never answered) as
     * the dialplan's h extensions do, and reported (observed) to the connection that follows it, if any.
     */
    public void end(String channelId, Outcome outcome, Leg failedLeg, Integer cause) {
        LiveChannel was = live.remove(channelId);
        if (was == null) {
            return;
        }
        boolean answered = was.state() == 6;
        String value = wire(outcome) + ":" + (cause == null ? "" : cause);
        if (answered) {
            rememberLeg(channelId, false, outcome.isSuccess() ? OutcomeMemory.ANSWER : value);
        } else {
            rememberLeg(channelId, true, value);
        }
        Instant now = Instant.now();
        for (FakePbxNode c : connections) {
            if (c.follows(channelId)) {
                c.emit(new AttemptResult(channelId, callbackOf(channelId), attemptOf(channelId), id, outcome,
                        outcome.isSuccess() ? null : failedLeg, cause, answered ? now : null, now, "test", true));
            }
        }
    }

    /** The call ends while no connection hears it: gone and remembered, nothing reported. */
    public void endUnheard(String channelId, Outcome outcome, Integer cause) {
        LiveChannel was = live.remove(channelId);
        if (was == null) {
            return;
        }
        String value = wire(outcome) + ":" + (cause == null ? "" : cause);
        if (was.state() == 6) {
            rememberLeg(channelId, false, outcome.isSuccess() ? OutcomeMemory.ANSWER : value);
        } else {
            rememberLeg(channelId, true, value);
        }
    }

    /** The call vanishes without any memory (a PBX crash mid-call): nothing remembered, nothing reported. */
    public void vanish(String channelId) {
        live.remove(channelId);
    }

    private void rememberLeg(String channelId, boolean legA, String value) {
        for (OriginateRequest r : originates) {
            if (r.channelId().equals(channelId)) {
                memory.compute(r.memoKey(), (k, m) -> {
                    OutcomeMemory old = m == null ? OutcomeMemory.NONE : m;
                    // the first fact for a leg stays, as [huibo-memo] does
                    return legA ? new OutcomeMemory(old.legA() == null ? value : old.legA(), old.legB())
                            : new OutcomeMemory(old.legA(), old.legB() == null ? value : old.legB());
                });
                return;
            }
        }
    }

    private static String wire(Outcome o) {
        return switch (o) {
            case CONNECTED -> "ANSWER";
            case BUSY -> "BUSY";
            case NO_ANSWER -> "NOANSWER";
            case CONGESTION -> "CONGESTION";
            case FAILED -> "CHANUNAVAIL";
        };
    }

    static int attemptOf(String channelId) {
        return Integer.parseInt(channelId.substring(channelId.lastIndexOf('-') + 1));
    }

    static String callbackOf(String channelId) {
        return channelId.substring(3, channelId.lastIndexOf('-'));
    }

    private static LiveChannel channel(String id, int state, String bridgeId) {
        return new LiveChannel("Local/s@huibo-leg-a-00000001;1", id, id, state, "AppDial", bridgeId, Duration.ZERO);
    }
}
