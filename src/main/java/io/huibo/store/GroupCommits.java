package io.huibo.store;

import java.util.function.ObjIntConsumer;

/** The public side of the stores' group commits: where their batch sizes are reported. */
public final class GroupCommits {
    private GroupCommits() {
    }

    /** {@code observer} gets (writer name, writes in the batch) for every group commit of this process. */
    public static void observe(ObjIntConsumer<String> observer) {
        GroupCommit.observeBatches(observer);
    }
}
