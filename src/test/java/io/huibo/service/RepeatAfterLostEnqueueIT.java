package io.huibo.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.huibo.TcpProxy;
import io.huibo.config.HuiboConfig;
import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.PhoneNumber;
import io.huibo.queue.CallbackQueue;
import io.huibo.redis.RedisScripts;
import io.huibo.store.CallbackStore;
import io.huibo.store.Database;
import io.huibo.store.DialinStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Defect 5 of issue 9 on the real MariaDB and Redis: the callback is committed, its Redis enqueue
 * fails (Redis cut off behind a proxy), the client is told to retry; the retry must index the
 * callback so that it is dialed. The retry is served by a second service with a working Redis
 * connection on the same key prefix, as another instance behind the load balancer would serve it.
 */
class RepeatAfterLostEnqueueIT {

    static final String SERVER = System.getProperty("huibo.it.db", "jdbc:mariadb://127.0.0.1:3306");
    static final String USER = "huibo";
    static final String PASSWORD = Optional.ofNullable(System.getenv("HUIBO_DB_PASSWORD")).orElse("huibo-dev-password");
    static final String REDIS = Optional.ofNullable(System.getenv("HUIBO_REDIS_URI")).orElse("redis://127.0.0.1:6379");

    final String dbName = "huibo_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    final String prefix = "huibo_it_" + UUID.randomUUID().toString().substring(0, 8);

    Vertx vertx;
    Database db;
    CallbackStore store;
    DialinStore dialinStore;
    TcpProxy redisProxy;
    /** Behind the proxy, which the test cuts: its enqueues fail. */
    RedisScripts cutOffRedis;
    RedisScripts workingRedis;
    CallbackQueue cutOff;
    CallbackQueue working;
    CallbackService failing;
    CallbackService retrying;

    @BeforeEach
    void open() {
        vertx = Vertx.vertx();
        db = Database.open(new HuiboConfig.Db(SERVER + "/" + dbName, USER, PASSWORD, 8));
        store = new CallbackStore(db);
        dialinStore = new DialinStore(db);
        URI redis = URI.create(REDIS);
        redisProxy = new TcpProxy(redis.getHost(), redis.getPort());
        cutOffRedis = RedisScripts.connect("redis://" + redis.getHost() + ":" + redisProxy.port(), prefix);
        workingRedis = RedisScripts.connect(REDIS, prefix);
        cutOff = new CallbackQueue(cutOffRedis);
        working = new CallbackQueue(workingRedis);
        failing = new CallbackService(store, cutOff, Clock.systemUTC());
        retrying = new CallbackService(store, working, Clock.systemUTC());
    }

    @AfterEach
    void close() throws Exception {
        cutOffRedis.close();
        redisProxy.close();
        workingRedis.close();
        dialinStore.close();
        store.close();
        db.close();
        vertx.close().await(10, TimeUnit.SECONDS);
        try (Connection c = DriverManager.getConnection(SERVER + "/", USER, PASSWORD); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE `" + dbName + "`");
        }
        RedisClient client = RedisClient.create(REDIS);
        try (StatefulRedisConnection<String, String> conn = client.connect(StringCodec.UTF8)) {
            List<String> keys = new ArrayList<>();
            ScanIterator.scan(conn.sync(), ScanArgs.Builder.matches("{" + prefix + "}:*").limit(1000))
                    .forEachRemaining(keys::add);
            if (!keys.isEmpty()) {
                conn.sync().del(keys.toArray(String[]::new));
            }
        } finally {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    static NewCallback request(String number, String idempotencyKey) {
        return new NewCallback(PhoneNumber.of(number), PhoneNumber.of("2001"), null, Callback.DEFAULT_PRIORITY,
                Callback.DEFAULT_MAX_ATTEMPTS, null, Map.of(), idempotencyKey,
                io.huibo.domain.CallFlow.CUSTOMER_FIRST, false);
    }

    @Test
    void aRepeatAfterAFailedEnqueueIndexesTheStoredCallback() throws Exception {
        String key = "key-" + UUID.randomUUID();
        redisProxy.cut();
        Throwable refused = catchThrowable(() -> await(failing.submit(request("+4930111222", key))));
        assertThat(refused).as("the client is told to retry").isNotNull();
        Callback stored = storedByKey(key);
        assertThat(stored.state()).isEqualTo(CallState.QUEUED);
        assertThat(await(working.pendingCount())).as("committed, but not indexed").isZero();

        Submission repeat = await(retrying.submit(request("+4930111222", key)));

        assertThat(repeat.repeat()).isTrue();
        assertThat(repeat.callback().id()).isEqualTo(stored.id());
        assertThat(await(working.pendingCount())).as("the repeat indexed it").isEqualTo(1);
        // indexing is idempotent: a second repeat leaves one entry
        await(retrying.submit(request("+4930111222", key)));
        assertThat(await(working.pendingCount())).isEqualTo(1);
    }

    @Test
    void aRepeatOfACallbackNoLongerQueuedIsNotIndexedAgain() throws Exception {
        String key = "key-" + UUID.randomUUID();
        redisProxy.cut();
        catchThrowable(() -> await(failing.submit(request("+4930111333", key))));
        Callback stored = storedByKey(key);
        // meanwhile it was dialed (e.g. re-indexed from MariaDB at a restart) and is being dialed now
        assertThat(await(store.transition(stored.id(), CallState.QUEUED, CallState.DIALING, 0, stored.dueAt(),
                "test"))).isTrue();

        Submission repeat = await(retrying.submit(request("+4930111333", key)));

        assertThat(repeat.callback().state()).isEqualTo(CallState.DIALING);
        assertThat(await(working.pendingCount())).as("never queued twice while dialing").isZero();
    }

    @Test
    void aDialinRepeatAfterAFailedEnqueueIndexesThePendingCallback() throws Exception {
        String caller = "+4930111444";
        await(dialinStore.put(new DialinStore.Caller(PhoneNumber.of(caller), null, PhoneNumber.of("2001"), false,
                true, null)));
        DialinService failingHook = new DialinService(vertx, dialinStore, failing, Clock.systemUTC());
        DialinService retryingHook = new DialinService(vertx, dialinStore, retrying, Clock.systemUTC());
        redisProxy.cut();
        DialinResult first = await(failingHook.call(caller));
        assertThat(first.kind()).isEqualTo(DialinResult.Kind.REFUSED);
        assertThat(await(working.pendingCount())).as("committed, but not indexed").isZero();

        DialinResult again = await(retryingHook.call(caller));

        assertThat(again.kind()).isEqualTo(DialinResult.Kind.QUEUED);
        assertThat(await(store.find(again.callbackId())).orElseThrow().state()).isEqualTo(CallState.QUEUED);
        assertThat(await(working.pendingCount())).as("the repeated dial-in indexed it").isEqualTo(1);
    }

    private Callback storedByKey(String key) throws Exception {
        String id;
        try (Connection c = DriverManager.getConnection(SERVER + "/" + dbName, USER, PASSWORD);
             Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT id FROM callbacks WHERE idempotency_key = '" + key + "'")) {
            assertThat(rs.next()).as("the callback was committed before the enqueue failed").isTrue();
            id = rs.getString(1);
        }
        return await(store.find(id)).orElseThrow();
    }
}
