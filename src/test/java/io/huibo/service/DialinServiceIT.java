package io.huibo.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.huibo.config.HuiboConfig;
import io.huibo.domain.CallFlow;
import io.huibo.domain.CallState;
import io.huibo.domain.Callback;
import io.huibo.domain.Leg;
import io.huibo.domain.PhoneNumber;
import io.huibo.queue.CallbackQueue;
import io.huibo.redis.RedisScripts;
import io.huibo.store.CallbackStore;
import io.huibo.store.Database;
import io.huibo.store.DialinStore;
import io.huibo.store.RouteTryStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dial-in hook on the real MariaDB and Redis: who may register, PINs, one pending callback per caller. */
class DialinServiceIT {

    static final String SERVER = System.getProperty("huibo.it.db", "jdbc:mariadb://127.0.0.1:3306");
    static final String USER = "huibo";
    static final String PASSWORD = Optional.ofNullable(System.getenv("HUIBO_DB_PASSWORD")).orElse("huibo-dev-password");
    static final String DB_NAME = "huibo_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    static final String REDIS = Optional.ofNullable(System.getenv("HUIBO_REDIS_URI")).orElse("redis://127.0.0.1:6379");
    static final String PREFIX = "huibo_it_" + UUID.randomUUID().toString().substring(0, 8);
    static final AtomicInteger NUMBERS = new AtomicInteger(100);

    static Vertx vertx;
    static Database db;
    static CallbackStore store;
    static RedisScripts redis;
    static CallbackQueue queue;
    static DialinStore dialinStore;
    static RouteTryStore tries;
    static CallbackService callbacks;
    static DialinService dialin;

    @BeforeAll
    static void open() {
        vertx = Vertx.vertx();
        db = Database.open(new HuiboConfig.Db(SERVER + "/" + DB_NAME, USER, PASSWORD, 8));
        store = new CallbackStore(db);
        redis = RedisScripts.connect(REDIS, PREFIX);
        queue = new CallbackQueue(redis);
        dialinStore = new DialinStore(db);
        tries = new RouteTryStore(db);
        callbacks = new CallbackService(store, queue, Clock.systemUTC(), tries);
        dialin = new DialinService(vertx, dialinStore, callbacks, Clock.systemUTC());
    }

    @AfterAll
    static void close() throws Exception {
        tries.close();
        dialinStore.close();
        store.close();
        redis.close();
        db.close();
        vertx.close().await(10, TimeUnit.SECONDS);
        try (Connection c = DriverManager.getConnection(SERVER + "/", USER, PASSWORD); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE `" + DB_NAME + "`");
        }
        RedisClient client = RedisClient.create(REDIS);
        try (StatefulRedisConnection<String, String> conn = client.connect(StringCodec.UTF8)) {
            List<String> keys = new ArrayList<>();
            ScanIterator.scan(conn.sync(), ScanArgs.Builder.matches("{" + PREFIX + "}:*").limit(1000)).forEachRemaining(keys::add);
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

    static String nextNumber() {
        return "+4930" + (5000000 + NUMBERS.incrementAndGet());
    }

    static List<String> pendingFor(String number) throws Exception {
        List<String> ids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(SERVER + "/" + DB_NAME, USER, PASSWORD);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id FROM callbacks WHERE number = '" + number
                     + "' AND state IN ('queued','dialing')")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    @Test
    void unknownOrInvalidCallersAreRefused() throws Exception {
        for (String caller : List.of("+4930999999999", "unknown", "", "123&456", "1")) {
            DialinResult r = await(dialin.call(caller));
            assertThat(r.kind()).as(caller).isEqualTo(DialinResult.Kind.REFUSED);
            assertThat(r.reason()).isEqualTo("unknown-caller");
        }
        String disabled = nextNumber();
        await(dialin.put(PhoneNumber.of(disabled), null, null, false, false));
        assertThat(await(dialin.call(disabled)).kind()).isEqualTo(DialinResult.Kind.REFUSED);
        assertThat(pendingFor(disabled)).isEmpty();
    }

    @Test
    void aRegisteredCallerGetsOneCallbackHoweverOftenTheyCall() throws Exception {
        String caller = nextNumber();
        await(dialin.put(PhoneNumber.of(caller), null, PhoneNumber.of("2001"), false, true));
        DialinResult first = await(dialin.call(caller));
        assertThat(first.kind()).isEqualTo(DialinResult.Kind.QUEUED);
        Callback cb = await(store.find(first.callbackId())).orElseThrow();
        assertThat(cb.number().value()).isEqualTo(caller);
        assertThat(cb.destination().value()).isEqualTo("2001");
        assertThat(cb.flow()).isEqualTo(CallFlow.CUSTOMER_FIRST);
        assertThat(cb.state()).isEqualTo(CallState.QUEUED);
        assertThat(cb.metadata()).containsEntry("source", "dialin");

        // ten more calls at once, as a redialing caller or several PBX nodes would make them
        List<Future<DialinResult>> again = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            again.add(dialin.call(caller));
        }
        Set<String> ids = new HashSet<>();
        for (Future<DialinResult> f : again) {
            DialinResult r = await(f);
            assertThat(r.kind()).isEqualTo(DialinResult.Kind.QUEUED);
            ids.add(r.callbackId());
        }
        assertThat(ids).containsExactly(first.callbackId());
        assertThat(pendingFor(caller)).containsExactly(first.callbackId());
    }

    @Test
    void concurrentFirstCallsOfACallerMakeOneCallback() throws Exception {
        String caller = nextNumber();
        await(dialin.put(PhoneNumber.of(caller), null, null, false, true));
        List<Future<DialinResult>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(dialin.call(caller));
        }
        Set<String> ids = new HashSet<>();
        for (Future<DialinResult> f : calls) {
            ids.add(await(f).callbackId());
        }
        assertThat(ids).hasSize(1);
        assertThat(pendingFor(caller)).containsExactlyElementsOf(ids);
        // no stored destination and no collect_now: the destination is keyed in when called back
        String id = ids.iterator().next();
        assertThat(await(store.find(id)).orElseThrow().destination()).isNull();
        assertThat(await(store.setDestination(id, PhoneNumber.of("0301111")))).contains(PhoneNumber.of("0301111"));
        assertThat(await(store.setDestination(id, PhoneNumber.of("0302222")))).as("never overwritten")
                .contains(PhoneNumber.of("0301111"));
    }

    @Test
    void aPinIsAskedForCheckedAndStoredOnlyHashed() throws Exception {
        String caller = nextNumber();
        DialinStore.Caller c = await(dialin.put(PhoneNumber.of(caller), "4711", null, true, true));
        assertThat(c.pinHash()).isNotNull().doesNotContain("4711").startsWith("pbkdf2-sha256$");

        assertThat(await(dialin.call(caller)).kind()).isEqualTo(DialinResult.Kind.PIN);
        assertThat(await(dialin.pin(caller, "4712")).reason()).isEqualTo("wrong-pin");
        assertThat(await(dialin.pin(caller, "")).reason()).isEqualTo("wrong-pin");
        assertThat(await(dialin.pin(caller, "4711")).kind()).isEqualTo(DialinResult.Kind.COLLECT);
        // the destination step checks the PIN again: it is no way around it
        assertThat(await(dialin.destination(caller, "0301234567", "")).reason()).isEqualTo("wrong-pin");
        assertThat(await(dialin.destination(caller, "0301234567", "1111")).reason()).isEqualTo("wrong-pin");
        assertThat(await(dialin.destination(caller, "03012&34", "4711")).reason()).isEqualTo("bad-destination");
        assertThat(await(dialin.destination(caller, "+4930123", "4711")).reason()).isEqualTo("bad-destination");
        assertThat(pendingFor(caller)).isEmpty();

        DialinResult r = await(dialin.destination(caller, "0301234567", "4711"));
        assertThat(r.kind()).isEqualTo(DialinResult.Kind.QUEUED);
        assertThat(await(store.find(r.callbackId())).orElseThrow().destination().value()).isEqualTo("0301234567");
        assertThat(await(dialin.list())).extracting(x -> x.number().value()).contains(caller);
        assertThat(await(dialin.remove(PhoneNumber.of(caller)))).isTrue();
        assertThat(await(dialin.remove(PhoneNumber.of(caller)))).isFalse();
        assertThat(await(dialin.call(caller)).kind()).isEqualTo(DialinResult.Kind.REFUSED);
    }

    @Test
    void routeTriesShowInTheCallbackView() throws Exception {
        String caller = nextNumber();
        await(dialin.put(PhoneNumber.of(caller), null, PhoneNumber.of("2001"), false, true));
        String id = await(dialin.call(caller)).callbackId();
        Instant now = Instant.now();
        await(tries.record(new RouteTryStore.RouteTry(id, 1, Leg.A, 2, "t2", "PJSIP/x@t2", "ANSWER", 16, now)));
        await(tries.record(new RouteTryStore.RouteTry(id, 1, Leg.A, 1, "t1", "PJSIP/x@t1", "CONGESTION", 34, now)));
        await(tries.record(new RouteTryStore.RouteTry(id, 1, Leg.B, 1, null, null, "BUSY", null, now)));
        CallbackView view = await(callbacks.get(id)).orElseThrow();
        assertThat(view.tries(1)).extracting(t -> t.leg() + "" + t.tryIndex() + ":" + t.dialStatus())
                .containsExactly("A1:CONGESTION", "A2:ANSWER", "B1:BUSY");
        assertThat(view.tries(1).get(0).cause()).isEqualTo(34);
        assertThat(view.tries(1).get(2).cause()).isNull();
        assertThat(view.tries(2)).isEmpty();
    }
}
