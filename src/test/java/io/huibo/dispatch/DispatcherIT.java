package io.huibo.dispatch;

import static io.huibo.store.ItDatabase.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.huibo.ShiftedClock;
import io.huibo.TcpProxy;
import io.huibo.cluster.NodeLeases;
import io.huibo.cluster.NodeOwnership;
import io.huibo.config.HuiboConfig;
import io.huibo.domain.Attempt;
import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.CallbackIds;
import io.huibo.domain.Leg;
import io.huibo.domain.Outcome;
import io.huibo.domain.PhoneNumber;
import io.huibo.pbx.AttemptResult;
import io.huibo.pbx.FakeAsterisk;
import io.huibo.pbx.FakePbxNode;
import io.huibo.pbx.OriginateException;
import io.huibo.pbx.OutcomeMemory;
import io.huibo.pbx.PbxCluster;
import io.huibo.pbx.PbxNode;
import io.huibo.queue.CallbackQueue;
import io.huibo.queue.Claim;
import io.huibo.queue.MarkResult;
import io.huibo.redis.RedisScripts;
import io.huibo.store.CallbackStore;
import io.huibo.store.Database;
import io.huibo.store.ItDatabase;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/**
 * The dispatcher in process, against real Redis and MariaDB (each instance reaches them through a
 * {@link TcpProxy} of its own, so a test can cut one instance off, or kill it: cut, then stop), with
 * {@link FakeAsterisk} PBXs the test drives: each case is one of issue 9's defects, made to happen on
 * purpose. What is checked is what a person would notice: how often the PBX was asked to call, and the
 * callback's record.
 */
class DispatcherIT {
    private static final String REDIS = "127.0.0.1";
    private static final int REDIS_PORT = 6379;
    private static final Duration LEASE = Duration.ofSeconds(2);
    private static final Duration UNREACHABLE = Duration.ofSeconds(5);

    private static ItDatabase it;

    private String prefix;
    /** What the dispatchers of this test logged. */
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private ListAppender<ILoggingEvent> appender;
    private FakeAsterisk pbx;
    private final List<Instance> instances = new ArrayList<>();
    private RedisClient redisClient;
    private StatefulRedisConnection<String, String> redis;

    @BeforeAll
    static void database() {
        it = new ItDatabase(4);
    }

    @AfterAll
    static void dropDatabase() throws Exception {
        it.close();
    }

    @BeforeEach
    void setUp() {
        prefix = "dit" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        pbx = new FakeAsterisk("n1", 20);
        redisClient = RedisClient.create("redis://" + REDIS + ":" + REDIS_PORT);
        redis = redisClient.connect();
        appender = new ListAppender<>() {
            @Override
            protected void append(ILoggingEvent e) {
                logged.add(e.getFormattedMessage());
            }
        };
        appender.start();
        ((Logger) LoggerFactory.getLogger(Dispatcher.class)).addAppender(appender);
    }

    @AfterEach
    void tearDown() {
        for (Instance i : instances) {
            i.close();
        }
        ((Logger) LoggerFactory.getLogger(Dispatcher.class)).detachAppender(appender);
        var keys = redis.sync().keys("{" + prefix + "}*");
        if (!keys.isEmpty()) {
            redis.sync().del(keys.toArray(new String[0]));
        }
        redis.close();
        redisClient.shutdown();
    }

    // ---------------------------------------------------------------- defect 1 and the outcome memory

    @Test
    void aConnectedCallThatEndsWhileItsInstanceIsDeadIsCompletedFromTheNodesMemory() throws Exception {
        Instance a = start("a", pbx);
        String id = submit(a);
        String ch = eventually(a, () -> pbx.originates().size() == 1) ? channel(id, 1) : null;
        pbx.bridge(ch);
        a.kill();
        pbx.endUnheard(ch, Outcome.CONNECTED, 16);

        Instance b = start("b", pbx);
        awaitState(b, id, CallState.COMPLETED);
        assertThat(pbx.originates()).hasSize(1);
        Attempt attempt = await(b.store.attempt(id, 1)).orElseThrow();
        assertThat(attempt.outcome()).isEqualTo(Outcome.CONNECTED);
        assertThat(attempt.detail()).contains("memory");
        assertQuiet(b);
    }

    @Test
    void anAttemptNobodySawEndAndTheNodeDoesNotRememberIsRetriedWithTheReason() throws Exception {
        Instance a = start("a", pbx);
        String id = submit(a);
        eventually(a, () -> pbx.originates().size() == 1);
        a.kill();
        pbx.vanish(channel(id, 1));

        Instance b = start("b", pbx);
        eventually(b, () -> pbx.originates().size() == 2);
        Attempt first = await(b.store.attempt(id, 1)).orElseThrow();
        assertThat(first.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(first.detail()).contains("outcome unknown");
        assertThat(pbx.originates().get(1).channelId()).isEqualTo(channel(id, 2));
    }

    @Test
    void legAAnsweredButLegBNeverDidIsALegBFailureAndRetried() throws Exception {
        Instance a = start("a", pbx);
        String id = submit(a);
        eventually(a, () -> pbx.originates().size() == 1);
        pbx.answer(channel(id, 1));
        a.kill();
        pbx.vanish(channel(id, 1));

        Instance b = start("b", pbx);
        eventually(b, () -> pbx.originates().size() == 2);
        Attempt first = await(b.store.attempt(id, 1)).orElseThrow();
        assertThat(first.failedLeg()).isEqualTo(Leg.B);
        assertThat(first.answeredAt()).isNotNull();
    }

    // ---------------------------------------------------------------- defect 3

    @Test
    void aCallThatConnectedWhileTheNodesEventsWereLostIsCompletedNotRetried() throws Exception {
        Instance a = start("a", pbx);
        String id = submit(a);
        eventually(a, () -> pbx.originates().size() == 1);
        String ch = channel(id, 1);
        a.node.setConnected(false);
        pbx.answer(ch);
        pbx.bridge(ch);
        pbx.end(ch, Outcome.CONNECTED, Leg.A, 16);
        Thread.sleep(LEASE.toMillis());
        a.node.setConnected(true);

        awaitState(a, id, CallState.COMPLETED);
        assertThat(pbx.originates()).hasSize(1);
        assertQuiet(a);
    }

    // ---------------------------------------------------------------- defect 4

    @Test
    void aResultIsKeptWithItsLeaseUntilMariaDbTakesIt() throws Exception {
        Instance a = start("a", pbx);
        Instance b = start("b", pbx);
        String id = submit(a);
        eventually(a, () -> pbx.originates().size() == 1);
        Instance owner = a.node.followed().isEmpty() ? b : a;
        Instance other = owner == a ? b : a;
        String ch = channel(id, 1);
        pbx.bridge(ch);
        owner.db.cut();
        pbx.end(ch, Outcome.CONNECTED, Leg.A, 16);
        Thread.sleep(LEASE.multipliedBy(3).toMillis());
        assertThat(other.ended).as("nobody else took the callback meanwhile").isEmpty();
        owner.db.restore();

        awaitState(owner, id, CallState.COMPLETED);
        assertThat(pbx.originates()).hasSize(1);
        // the result the node reported, kept through the outage; a dropped one would also end completed,
        // but only later, recalled from the node's outcome memory
        Attempt attempt = await(owner.store.attempt(id, 1)).orElseThrow();
        assertThat(attempt.detail()).as("recorded from the kept result").doesNotContain("memory");
        assertQuiet(owner);
    }

    // ---------------------------------------------------------------- defect 11

    @Test
    void anOriginateThatWasNeverSentDoesNotCountAsAnAttempt() throws Exception {
        Instance a = start("a", pbx);
        a.node.failNextOriginate(OriginateException.Kind.NOT_SENT);
        String id = submit(a);
        eventually(a, () -> pbx.originates().size() == 1);
        assertThat(pbx.originates().get(0).channelId()).as("dialed as attempt 1").isEqualTo(channel(id, 1));
        pbx.end(channel(id, 1), Outcome.BUSY, Leg.A, 17);
        eventually(a, () -> await(a.store.attempt(id, 1)).map(x -> !x.inProgress()).orElse(false));
        assertThat(await(a.store.history(id))).anyMatch(h -> h.detail() != null && h.detail().contains("not sent"));
    }

    @Test
    void anAttemptMarkedButNeverRecordedIsDialedWithoutCountingIt() throws Exception {
        // a dead instance's last steps, by hand: it held the node, claimed, marked the attempt on the
        // node, and died before MariaDB recorded it (so before any Originate)
        Instance ghost = new Instance("ghost", Duration.ZERO, pbx);
        instances.add(ghost);
        String id = submit(ghost);
        long token = await(new NodeLeases(ghost.scripts).acquire("n1", "ghost", LEASE));
        List<Claim> claims = await(ghost.queue.claim(1, LEASE, "ghost"));
        assertThat(claims).hasSize(1);
        assertThat(await(ghost.queue.markDialing(id, "ghost", claims.get(0).fence(), 1, "n1", channel(id, 1),
                Instant.now(), token))).isEqualTo(MarkResult.MARKED);
        ghost.kill();

        Instance a = start("a", pbx);
        eventually(a, () -> pbx.originates().size() == 1);
        pbx.end(channel(id, 1), Outcome.CONNECTED, Leg.A, 16);
        awaitState(a, id, CallState.COMPLETED);
        assertThat(await(a.store.attempts(id))).hasSize(1);
        assertThat(pbx.originates().get(0).channelId()).isEqualTo(channel(id, 1));
    }

    // ---------------------------------------------------------------- defect 10

    @Test
    void anAttemptOnANodeNobodyCanAskIsClosedAfterTheBoundAndRetriedElsewhere() throws Exception {
        FakeAsterisk second = new FakeAsterisk("n2", 20);
        Instance a = start("a", pbx);
        String id = submit(a);
        eventually(a, () -> pbx.originates().size() == 1);
        a.kill();
        // n1 is unreachable for the next owner; n2 is fine
        Instance b = start("b", pbx, second);
        b.nodes.get(0).setConnected(false);
        eventually(b, () -> second.originates().size() == 1);
        Attempt first = await(b.store.attempt(id, 1)).orElseThrow();
        assertThat(first.detail()).contains("outcome unknown").contains("n1");
        assertThat(second.originates().get(0).channelId()).isEqualTo(channel(id, 2));
    }

    // ---------------------------------------------------------------- defect 6

    @Test
    void anInstanceWhoseClockRunsAheadTakesNoLeaseOfTheOthers() throws Exception {
        Instance a = start("a", pbx);
        String id = submit(a);
        eventually(a, () -> pbx.originates().size() == 1);
        Instance ahead = start("ahead", Duration.ofSeconds(60), new FakeAsterisk[0]);
        Thread.sleep(LEASE.multipliedBy(4).toMillis());
        pbx.end(channel(id, 1), Outcome.CONNECTED, Leg.A, 16);

        awaitState(a, id, CallState.COMPLETED);
        assertThat(ahead.ended).isEmpty();
        assertThat(a.ended).hasSize(1);
        assertThat(pbx.originates()).hasSize(1);
    }

    @Test
    void aReclaimOfAnAttemptThisInstanceStillRunsKeepsIt() throws Exception {
        Instance a = start("a", pbx);
        String id = submit(a);
        eventually(a, () -> pbx.originates().size() == 1);
        // the lease runs out under it (a stall): the reaper parks the callback for the node's owner
        redis.sync().zadd("{" + prefix + "}:leases", 1, id);
        eventually(a, () -> logged.stream().anyMatch(l -> l.contains("re-claimed " + id)));
        pbx.end(channel(id, 1), Outcome.CONNECTED, Leg.A, 16);

        awaitState(a, id, CallState.COMPLETED);
        assertThat(pbx.originates()).hasSize(1);
        assertThat(a.ended).hasSize(1);
        assertQuiet(a);
    }

    // ---------------------------------------------------------------- defect 8

    @Test
    void aStoppingInstanceWaitsForLegBRoutingThenHandsTheCallOver() throws Exception {
        Instance a = start("a", pbx);
        String id = submit(a);
        eventually(a, () -> pbx.originates().size() == 1);
        String ch = channel(id, 1);
        Instance b = start("b", pbx);

        Future<Void> stopped = a.vertx.undeploy(a.deployment);
        Thread.sleep(1000);
        assertThat(stopped.isComplete()).as("waits while leg B has no route").isFalse();
        assertThat(a.node.isConnected()).as("its AMI stays up meanwhile").isTrue();
        pbx.answer(ch);
        a.routedB.add(id + "-1");
        await(stopped);
        assertThat(a.node.isConnected()).as("logged off only after handing the call over").isFalse();
        pbx.bridge(ch);

        eventually(b, () -> b.node.followed().contains(ch));
        pbx.end(ch, Outcome.CONNECTED, Leg.A, 16);
        awaitState(b, id, CallState.COMPLETED);
        assertThat(pbx.originates()).hasSize(1);
        assertQuiet(b);
    }

    // ---------------------------------------------------------------- defect 12

    @Test
    void everyEndingReleasesItsLeaseAndReportsTheAttemptOnce() throws Exception {
        Instance a = start("a", pbx);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(submit(a));
        }
        eventually(a, () -> pbx.originates().size() == 4);
        pbx.end(channel(ids.get(0), 1), Outcome.CONNECTED, Leg.A, 16);
        pbx.end(channel(ids.get(1), 1), Outcome.BUSY, Leg.A, 17);
        a.kill();
        pbx.endUnheard(channel(ids.get(2), 1), Outcome.CONNECTED, 16);
        pbx.vanish(channel(ids.get(3), 1));

        Instance b = start("b", pbx);
        eventually(b, () -> b.ended.size() >= 2);
        // retried ones are dialed again: those calls connect, until every callback is done
        for (String id : ids) {
            eventually(b, () -> {
                endAllLive(id);
                return await(b.store.find(id)).map(c -> c.state().isFinal()).orElse(false);
            });
        }
        eventually(b, () -> b.dispatcher.heldCount() == 0 && b.dispatcher.inFlightCount() == 0);
        Map<String, Long> reported = new ConcurrentHashMap<>();
        for (Instance i : instances) {
            for (AttemptResult r : i.ended) {
                reported.merge(r.channelId(), 1L, Long::sum);
            }
        }
        assertThat(reported.values()).as("each ended attempt reported once (its trunk slots released)")
                .allMatch(n -> n == 1L);
    }

    // ---------------------------------------------------------------- the harness

    private void endAllLive(String id) {
        for (var r : pbx.originates()) {
            if (r.callbackId().equals(id) && pbx.isLive(r.channelId())) {
                pbx.end(r.channelId(), Outcome.CONNECTED, Leg.A, 16);
            }
        }
    }

    private static String channel(String id, int attempt) {
        return Attempt.channelIdFor(id, attempt);
    }

    private static final java.util.concurrent.atomic.AtomicInteger SUBMITTED = new java.util.concurrent.atomic.AtomicInteger();

    private String submit(Instance via) throws Exception {
        Instant now = Instant.now();
        // a number of its own: a second active callback of one number and destination would be deduplicated
        Callback cb = new Callback(CallbackIds.next(), PhoneNumber.e164("+49301" + (23456 + SUBMITTED.incrementAndGet())),
                PhoneNumber.of("2001"), null,
                0, 3, Map.of(), null, CallState.QUEUED, 0, now, now, now);
        await(via.store.insert(cb));
        assertThat(await(via.queue.enqueue(cb.id(), 0, null))).isTrue();
        return cb.id();
    }

    private void awaitState(Instance i, String id, CallState state) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> await(i.store.find(id)).map(c -> c.state() == state).orElse(false));
    }

    private static boolean eventually(Instance i, java.util.concurrent.Callable<Boolean> cond) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(cond);
        return true;
    }

    /** Nothing left held or in flight once its callbacks ended. */
    private static void assertQuiet(Instance i) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> i.dispatcher.heldCount() == 0 && i.dispatcher.inFlightCount() == 0);
    }

    private Instance start(String name, FakeAsterisk... pbxs) throws Exception {
        return start(name, Duration.ZERO, pbxs);
    }

    private Instance start(String name, Duration clockOffset, FakeAsterisk... pbxs) throws Exception {
        Instance i = new Instance(name, clockOffset, pbxs);
        instances.add(i);
        i.deployment = await(i.vertx.deployVerticle(i.dispatcher));
        return i;
    }

    /** One Huibo instance in this JVM: its own Vert.x, connections, node connections and dispatcher. */
    private final class Instance implements AutoCloseable {
        final String name;
        final Vertx vertx = Vertx.vertx();
        final TcpProxy redisProxy = new TcpProxy(REDIS, REDIS_PORT);
        final TcpProxy db = new TcpProxy("127.0.0.1", 3306);
        final RedisScripts scripts;
        final Database database;
        final CallbackStore store;
        final CallbackQueue queue;
        final List<FakePbxNode> nodes = new ArrayList<>();
        final FakePbxNode node;
        final NodeOwnership ownership;
        final Dispatcher dispatcher;
        final Set<String> routedB = ConcurrentHashMap.newKeySet();
        final List<AttemptResult> ended = new CopyOnWriteArrayList<>();
        String deployment;
        private boolean closed;

        Instance(String name, Duration clockOffset, FakeAsterisk... pbxs) {
            this.name = name;
            scripts = RedisScripts.connect("redis://127.0.0.1:" + redisProxy.port(), prefix);
            database = it.openVia(db.port(), 4);
            store = new CallbackStore(database);
            queue = new CallbackQueue(scripts);
            for (FakeAsterisk p : pbxs.length == 0 ? new FakeAsterisk[] {pbx} : pbxs) {
                nodes.add(new FakePbxNode(vertx, p));
            }
            node = nodes.get(0);
            PbxCluster cluster = new PbxCluster(List.<PbxNode>copyOf(nodes));
            ShiftedClock clock = new ShiftedClock(clockOffset);
            String agi = "127.0.0.1:" + (4000 + instances.size());
            ownership = new NodeOwnership(new NodeLeases(scripts), cluster,
                    c -> nodes.stream().filter(n -> n.id().equals(c.id())).findFirst().orElseThrow(), name, agi,
                    LEASE, System::nanoTime, vertx, null);
            HuiboConfig.Dispatch cfg = new HuiboConfig.Dispatch(Duration.ofMillis(50), 20, LEASE,
                    Duration.ofSeconds(30), Duration.ofSeconds(2), Duration.ofMillis(200), Duration.ofMillis(200),
                    Duration.ofMillis(200), Duration.ofMillis(200), "huibo-leg-a", "huibo-connect",
                    Duration.ofSeconds(10), UNREACHABLE);
            dispatcher = new Dispatcher(queue, store, cluster, RetryPolicy.from(cfg), cfg, name, agi, clock,
                    ownership, (cb, n) -> routedB.contains(cb + "-" + n));
            dispatcher.onAttemptEnded(ended::add);
        }

        /** Dies: cut off from Redis and MariaDB first, so nothing it does on the way out reaches them. */
        void kill() {
            redisProxy.cut();
            db.cut();
            close();
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(20, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // dying anyway
            }
            store.close();
            database.close();
            scripts.close();
            redisProxy.close();
            db.close();
        }
    }
}
