package io.huibo.bench;

import io.huibo.pbx.ami.CallTracker;
import io.huibo.pbx.OutcomeClassifier;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.asteriskjava.manager.event.HangupEvent;
import org.asteriskjava.manager.event.NewStateEvent;
import org.asteriskjava.manager.event.OriginateResponseEvent;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * AMI event handling: one answered attempt through {@link CallTracker} (track, OriginateResponse,
 * NewState Up, Hangup, as asterisk-java delivers them), and the outcome classification alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class AmiEventBench {
    private CallTracker tracker;
    private long n;
    private final OutcomeClassifier.Facts busy = new OutcomeClassifier.Facts(5, false, "BUSY", 17, false, null,
            null, 17, false);

    @Setup
    public void setup() {
        tracker = new CallTracker("sim1", Clock.systemUTC(), Duration.ofHours(1));
    }

    @Benchmark
    public int attemptLifecycle() {
        String channelId = "hb-01JBENCH" + (n++) + "-1";
        tracker.track(channelId, "01JBENCHAAAAAAAAAAAAAAAAAA", 1, Duration.ofSeconds(30));
        OriginateResponseEvent o = new OriginateResponseEvent(this);
        o.setUniqueId(channelId);
        o.setActionId(channelId);
        o.setResponse("Success");
        o.setReason(4);
        o.setChannel("Local/s@huibo-leg-a-00000001;1");
        tracker.accept(o);
        NewStateEvent up = new NewStateEvent(this);
        up.setUniqueId(channelId);
        up.setChannelState(6);
        up.setChannel("Local/s@huibo-leg-a-00000001;1");
        tracker.accept(up);
        HangupEvent h = new HangupEvent(this);
        h.setUniqueId(channelId);
        h.setLinkedId(channelId);
        h.setCause(16);
        h.setChannel("Local/s@huibo-leg-a-00000001;1");
        tracker.accept(h);
        int size = tracker.size();
        tracker.forget(channelId);
        return size;
    }

    @Benchmark
    public Object classify() {
        return OutcomeClassifier.classify(busy);
    }
}
