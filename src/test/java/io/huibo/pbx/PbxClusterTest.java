package io.huibo.pbx;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.config.NodeConfig;
import io.huibo.pbx.ami.AmiNode;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Statuses as the cluster sees them: a node another instance drives shows what its owner published. */
class PbxClusterTest {
    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close();
    }

    private AmiNode node(String id) {
        return new AmiNode(vertx, new NodeConfig(id, "127.0.0.1", 5038, "huibo", "secret", 10), Duration.ofSeconds(1));
    }

    @Test
    void standbyNodeShowsTheOwnersPublishedStatus() {
        PbxCluster cluster = new PbxCluster(List.of(node("a"), node("b")));
        NodeStatus refused = new NodeStatus("a", NodeStatus.State.AUTH_FAILED, "authentication failed: refused", 0,
                10, null);
        cluster.published("a", refused);

        List<NodeStatus> s = cluster.statuses();
        assertThat(s.get(0)).isEqualTo(refused);
        // nobody published b: this instance's own view (standby)
        assertThat(s.get(1).state()).isEqualTo(NodeStatus.State.STANDBY);
        assertThat(s.get(1).lastError()).isNull();

        // the owner stopped publishing (nobody drives a now): back to standby
        cluster.published("a", null);
        assertThat(cluster.statuses().get(0).state()).isEqualTo(NodeStatus.State.STANDBY);
    }

    @Test
    void aRemovedNodeForgetsWhatWasPublishedForIt() {
        PbxCluster cluster = new PbxCluster(List.of(node("a")));
        cluster.published("a", new NodeStatus("a", NodeStatus.State.CONNECTED, null, 3, 10, null));
        cluster.remove("a");
        cluster.published("gone", new NodeStatus("gone", NodeStatus.State.CONNECTED, null, 0, 10, null));
        assertThat(cluster.statuses()).isEmpty();
        cluster.addStandby(node("a"));
        assertThat(cluster.statuses().get(0).state()).isEqualTo(NodeStatus.State.STANDBY);
    }
}
