package io.huibo.pbx.ami;

import io.huibo.pbx.*;
import io.huibo.config.NodeConfig;
import io.huibo.domain.Leg;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A real asterisk-java connection against {@link ReplayAmiServer}, which answers with the bytes real
 * Asterisk sent to asterisk-java in extra/ajava-session.txt (and the bad-secret login).
 */
class AmiNodeIT {
    private static final String SECRET = "it-secret";
    private static final String CB = "01JTESTCALLBACK00000000001";

    private Vertx vertx;
    private ReplayAmiServer server;
    private AmiNode node;
    private final List<AttemptResult> results = new CopyOnWriteArrayList<>();
    private final List<String> resultThreads = new CopyOnWriteArrayList<>();

    private static final AmiNode.Options FAST = AmiNode.Options.defaults()
            .withPing(Duration.ofMillis(300), Duration.ofMillis(400))
            .withReconnect(Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofMillis(500));

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        server = new ReplayAmiServer(SECRET);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (node != null) {
            get(node.stop());
        }
        server.close();
        get(vertx.close());
    }

    private AmiNode node(String secret, int maxCalls) {
        node = new AmiNode(vertx, new NodeConfig("n1", "127.0.0.1", server.port(), "callback", secret, maxCalls),
                Duration.ofSeconds(1), FAST);
        node.onAttemptResult(r -> {
            resultThreads.add(Thread.currentThread().getName());
            results.add(r);
        });
        return node;
    }

    private static <T> T get(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static OriginateRequest request(int attempt) {
        return new OriginateRequest(CB, attempt, "hb-" + CB + "-" + attempt, "huibo-leg-a", "huibo-connect",
                Duration.ofSeconds(25), "\"Huibo\" <+8610000000>", List.of("127.0.0.1:4573"),
                "20261125/" + CB + "-" + attempt, false);
    }

    private void awaitConnected() {
        await().atMost(Duration.ofSeconds(10)).until(() -> node.status().state() == NodeStatus.State.CONNECTED);
    }

    @Test
    void loginOriginateAndCorrelateTheRecordedCall() throws Exception {
        node(SECRET, 5);
        get(node.start());
        awaitConnected();
        NodeStatus st = node.status();
        assertThat(st.id()).isEqualTo("n1");
        assertThat(st.connectedSince()).isNotNull();
        assertThat(st.lastError()).isNull();
        assertThat(node.freeSlots()).isEqualTo(5);

        OriginateRequest req = request(1);
        get(node.originate(req));

        // the Originate on the wire, as asterisk-java wrote it
        List<String> sent = server.actions("originate").get(0);
        assertThat(ReplayAmiServer.header(sent, "channel")).isEqualTo("Local/s@huibo-leg-a");
        assertThat(ReplayAmiServer.header(sent, "context")).isEqualTo("huibo-connect");
        assertThat(ReplayAmiServer.header(sent, "exten")).isEqualTo("s");
        assertThat(ReplayAmiServer.header(sent, "priority")).isEqualTo("1");
        assertThat(ReplayAmiServer.header(sent, "async")).isEqualTo("true");
        assertThat(ReplayAmiServer.header(sent, "timeout")).isEqualTo("25000");
        assertThat(ReplayAmiServer.header(sent, "channelid")).isEqualTo(req.channelId());
        assertThat(ReplayAmiServer.header(sent, "callerid")).isEqualTo("\"Huibo\" <+8610000000>");
        assertThat(ReplayAmiServer.header(sent, "actionid")).endsWith("#" + req.channelId());
        assertThat(ReplayAmiServer.headers(sent, "variable")).containsExactlyInAnyOrder(
                "HUIBO_CALLBACK=" + CB, "HUIBO_ATTEMPT=1", "HUIBO_AGI=127.0.0.1:4573", "HUIBO_MEMO=" + req.memoKey(),
                // the first Originate of a day drops the newest day beyond the retention
                "HUIBO_MEMO_PURGE=" + java.time.LocalDate.now(java.time.ZoneOffset.UTC)
                        .minusDays(MemoPurge.RETENTION_DAYS + 1L).format(java.time.format.DateTimeFormatter.BASIC_ISO_DATE));

        // the recorded OriginateResponse (Reason 4) and Hangup (cause 16) come back as one result
        await().atMost(Duration.ofSeconds(10)).until(() -> results.size() == 1);
        AttemptResult r = results.get(0);
        assertThat(r.channelId()).isEqualTo(req.channelId());
        assertThat(r.callbackId()).isEqualTo(CB);
        assertThat(r.attempt()).isEqualTo(1);
        assertThat(r.nodeId()).isEqualTo("n1");
        assertThat(r.answeredAt()).isNotNull();
        assertThat(r.hangupCause()).isEqualTo(16);
        // the recorded call is Local/100 with Wait(2): it never dials a leg B
        assertThat(r.failedLeg()).isEqualTo(Leg.B);
        assertThat(resultThreads).allMatch(t -> t.startsWith("vert.x-eventloop"));
        assertThat(node.active()).isZero();

        List<LiveChannel> live = get(node.liveChannels());
        assertThat(live).extracting(LiveChannel::uniqueid)
                .containsExactlyInAnyOrder(req.channelId(), req.channelId() + ";2");
        assertThat(live).allMatch(c -> c.state() == 6 && c.linkedid().equals(req.channelId()));
    }

    /** DBGet over a real socket with Asterisk 20's answers: an entry, a missing entry, and again. */
    @Test
    void recallReadsTheOutcomeMemoryFromAsterisk20DbGetAnswers() throws Exception {
        String memo = "20261125/" + CB + "-1";
        server.astdb.put(AmiNode.MEMO_FAMILY + "/" + memo + "/a", "ANSWER");
        node(SECRET, 5);
        get(node.start());
        awaitConnected();
        assertThat(get(node.recall(memo))).isEqualTo(new OutcomeMemory("ANSWER", null));
        server.astdb.put(AmiNode.MEMO_FAMILY + "/" + memo + "/b", "BUSY:17");
        // the trailing DBGetComplete of the first answers must not confuse the next ones
        assertThat(get(node.recall(memo))).isEqualTo(new OutcomeMemory("ANSWER", "BUSY:17"));
        assertThat(get(node.recall("20261125/OTHER-1"))).isEqualTo(OutcomeMemory.NONE);
        assertThat(ReplayAmiServer.header(server.received.stream()
                .filter(a -> ReplayAmiServer.header(a, "action").equalsIgnoreCase("DBGet")).findFirst().orElseThrow(),
                "family")).isEqualTo("huibo");
    }

    @Test
    void originateTimesOutWhenTheServerNeverAnswers() throws Exception {
        node(SECRET, 5);
        get(node.start());
        awaitConnected();
        server.silentOriginate = true;
        long t0 = System.nanoTime();
        Future<Void> f = node.originate(request(1));
        assertThatThrownBy(() -> get(f)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(OriginateException.class)
                .satisfies(e -> {
                    assertThat(((OriginateException) e).kind()).isEqualTo(OriginateException.Kind.TIMEOUT);
                    assertThat(((OriginateException) e).resultFollows()).isTrue();
                });
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(ms).isBetween(900L, 5000L);
        // the call may exist on the node: it still occupies a slot until its result
        assertThat(node.active()).isEqualTo(1);
        assertThat(node.status().state()).isEqualTo(NodeStatus.State.CONNECTED);
    }

    @Test
    void reconnectsAfterTheServerClosesTheSocket() throws Exception {
        node(SECRET, 5);
        get(node.start());
        awaitConnected();
        assertThat(server.loginsOk.get()).isEqualTo(1);
        server.dropAll();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loginsOk.get() >= 2
                && node.status().state() == NodeStatus.State.CONNECTED);
        // and it works on the new session
        get(node.originate(request(2)));
        await().atMost(Duration.ofSeconds(10)).until(() -> results.size() == 1);
        assertThat(results.get(0).attempt()).isEqualTo(2);
    }

    @Test
    void silentDropIsDetectedByOurPing() throws Exception {
        node(SECRET, 5);
        get(node.start());
        awaitConnected();
        server.silenceCurrent();
        await().atMost(Duration.ofSeconds(10)).until(() -> node.status().state() != NodeStatus.State.CONNECTED);
        assertThat(node.status().lastError()).containsAnyOf("ping", "connection lost");
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loginsOk.get() >= 2
                && node.status().state() == NodeStatus.State.CONNECTED);
    }

    @Test
    void badSecretShowsAuthFailedAndIsRetriedSlowly() throws Exception {
        node("wrong-secret", 5);
        get(node.start());
        await().atMost(Duration.ofSeconds(10)).until(() -> node.status().state() == NodeStatus.State.AUTH_FAILED);
        assertThat(node.status().lastError()).contains("Authentication failed");
        assertThat(node.freeSlots()).isZero();
        assertThatThrownBy(() -> get(node.originate(request(1)))).cause()
                .isInstanceOf(OriginateException.class)
                .satisfies(e -> assertThat(((OriginateException) e).kind()).isEqualTo(OriginateException.Kind.NOT_SENT));
        // retried (asterisk-java alone would give up), and the state stays AUTH_FAILED meanwhile
        await().atMost(Duration.ofSeconds(10)).until(() -> server.loginsFailed.get() >= 2);
        assertThat(node.status().state()).isEqualTo(NodeStatus.State.AUTH_FAILED);
    }

    @Test
    void firstLoginFailureIsRetriedUntilTheNodeIsUp() throws Exception {
        server.closeOnConnect = true;
        node(SECRET, 5);
        get(node.start());
        assertThat(node.status().state()).isIn(NodeStatus.State.DISCONNECTED, NodeStatus.State.CONNECTING);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.connections.get() >= 2);
        assertThat(node.status().lastError()).isNotBlank();
        server.closeOnConnect = false;
        awaitConnected();
    }

    @Test
    void clusterPicksTheLeastLoadedConnectedNode() throws Exception {
        AmiNode a = node(SECRET, 2);
        AmiNode b = new AmiNode(vertx, new NodeConfig("n2", "127.0.0.1", server.port(), "callback", SECRET, 4),
                Duration.ofSeconds(1), FAST);
        AmiNode down = new AmiNode(vertx, new NodeConfig("n0", "127.0.0.1", server.port(), "callback", "bad", 10),
                Duration.ofSeconds(1), FAST);
        PbxCluster cluster = new PbxCluster(List.of(a, b, down));
        cluster.onAttemptResult(results::add);
        try {
            get(cluster.start());
            await().atMost(Duration.ofSeconds(10)).until(() -> a.isConnected() && b.isConnected());
            assertThat(cluster.freeSlots()).isEqualTo(6);
            assertThat(cluster.pick()).containsSame(a); // tie at 0 load: by id
            server.silentOriginate = true;             // keep the attempts in flight
            a.originate(request(1));
            await().atMost(Duration.ofSeconds(5)).until(() -> a.active() == 1);
            assertThat(cluster.pick()).containsSame(b); // 1/2 vs 0/4
            assertThat(cluster.freeSlots()).isEqualTo(5);
            assertThat(cluster.statuses()).extracting(NodeStatus::id).containsExactly("n0", "n1", "n2");
            assertThat(cluster.node("n0").orElseThrow().status().state()).isEqualTo(NodeStatus.State.AUTH_FAILED);
        } finally {
            get(cluster.stop());
            node = null;
        }
    }
}
