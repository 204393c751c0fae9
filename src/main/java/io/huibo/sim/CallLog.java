package io.huibo.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Every call seen by this sim process (all nodes), for GET /calls. */
final class CallLog {
    private final ConcurrentLinkedQueue<SimCall> calls = new ConcurrentLinkedQueue<>();

    void add(SimCall c) {
        calls.add(c);
    }

    List<SimCall.Info> snapshot() {
        List<SimCall.Info> out = new ArrayList<>();
        for (SimCall c : calls) {
            out.add(c.info());
        }
        return out;
    }
}
