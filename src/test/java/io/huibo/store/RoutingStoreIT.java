package io.huibo.store;

import static io.huibo.store.ItDatabase.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.huibo.config.HuiboConfig;
import io.huibo.domain.Leg;
import io.huibo.domain.PhoneNumber;
import io.huibo.routing.InMemoryTrunkLimiter;
import io.huibo.routing.RouteChoice;
import io.huibo.routing.RouteQuery;
import io.huibo.routing.RoutingCsv;
import io.huibo.routing.RoutingData;
import io.huibo.routing.RoutingService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;

/** Against the real MariaDB, in a database of its own that is dropped at the end. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RoutingStoreIT {


    static final String TRUNKS = """
            id,dial,max_concurrent,max_cps,enabled
            carrier1,PJSIP/{number}@carrier1,30,5,true
            carrier2,SIP/carrier2/{number},0,0,false
            cheap,PJSIP/{number}@cheap,1,0,true
            """;
    static final String ROUTES = """
            table,leg,prefix,trunk,weight,tz,days,start,end
            default,,86,carrier1,3,Asia/Shanghai,Mon-Fri,22:00,06:00
            default,b,,carrier2,1,,,,
            default,,86,cheap,1,,,,
            agents,a,2,carrier1,0,UTC,Sat-Sun,,
            """;
    static final String RATES = """
            trunk,prefix,cost_per_minute
            carrier1,86,0.0125
            cheap,,0.000001
            cheap,86,0.01
            """;
    static final String TABLES = """
            table,strategies
            default,"prefix,cost"
            """;

    static ItDatabase it;
    static Database db;
    static RoutingStore store;

    @BeforeAll
    static void open() {
        it = new ItDatabase(4);
        db = it.db;
        store = new RoutingStore(db);
    }

    @AfterAll
    static void drop() throws Exception {
        if (it != null) {
            it.close();
        }
    }

    @Test
    @Order(1)
    void aFreshDatabaseHasNoRoutesAtVersionZero() throws Exception {
        RoutingData d = await(store.load());
        assertThat(d.version()).isZero();
        assertThat(d.routes()).isEmpty();
        assertThat(await(store.version())).isZero();
    }

    @Test
    @Order(2)
    void importsBumpTheVersionAndLoadBackAsImported() throws Exception {
        long v0 = await(store.version());
        long v1 = await(store.replaceTrunks(RoutingCsv.trunks(TRUNKS).rows()));
        long v2 = await(store.replaceRoutes(RoutingCsv.routes(ROUTES).rows()));
        long v3 = await(store.replaceRates(RoutingCsv.rates(RATES).rows()));
        long v4 = await(store.replaceTables(RoutingCsv.tables(TABLES).rows()));
        assertThat(List.of(v1, v2, v3, v4)).containsExactly(v0 + 1, v0 + 2, v0 + 3, v0 + 4);
        assertThat(await(store.version())).isEqualTo(v4);
        RoutingData d = await(store.load());
        assertThat(d.version()).isEqualTo(v4);
        assertThat(RoutingCsv.formatTrunks(d.trunks())).isEqualTo(TRUNKS);
        assertThat(RoutingCsv.formatRoutes(d.routes())).isEqualTo(ROUTES);
        assertThat(RoutingCsv.formatRates(d.rates())).isEqualTo(RATES);
        assertThat(RoutingCsv.formatTables(d.tables())).isEqualTo(TABLES);
    }

    @Test
    @Order(3)
    void aRouteToAnUnknownTrunkChangesNothing() throws Exception {
        long before = await(store.version());
        String bad = ROUTES + "default,,49,nosuch,1,,,,\n";
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> await(store.replaceRoutes(RoutingCsv.routes(bad).rows())));
        assertThat(e.getCause()).isInstanceOfSatisfying(RoutingStore.ReferenceException.class,
                r -> assertThat(r.index()).isEqualTo(4));
        assertThat(await(store.version())).isEqualTo(before);
        assertThat(RoutingCsv.formatRoutes(await(store.load()).routes())).isEqualTo(ROUTES);
        // removing a trunk that routes still use is refused the same way
        String fewer = "id,dial,max_concurrent,max_cps,enabled\ncarrier1,PJSIP/{number}@carrier1,30,5,true\n";
        assertThatThrownBy(() -> await(store.replaceTrunks(RoutingCsv.trunks(fewer).rows())))
                .hasCauseInstanceOf(RoutingStore.ReferenceException.class);
        assertThat(await(store.load()).trunks()).hasSize(3);
    }

    @Test
    @Order(4)
    void anotherInstanceFollowsAnImportByTheVersion() throws Exception {
        // two services on one database, as two instances would be
        HuiboConfig.Routing cfg = new HuiboConfig.Routing("PJSIP/{number}@x", "PJSIP/{number}@x", "default",
                "default", Duration.ofSeconds(2), 3);
        RoutingService other = new RoutingService(store, cfg, new InMemoryTrunkLimiter(), Clock.systemUTC());
        await(other.reloadNow());
        assertThat(await(other.reloadIfChanged())).isFalse();
        RouteQuery q = new RouteQuery("c1", 1, Leg.B, PhoneNumber.of("+8613800138000"), Instant.parse("2024-01-03T04:00:00Z"));
        // prefix,cost: cheap (0.01 for 86) before carrier1 (0.0125); carrier2 is disabled
        assertThat(await(other.choose(q)).stream().map(RouteChoice::trunkId).toList()).containsExactly("cheap", "carrier1");
        other.release("c1", 1);

        await(store.replaceRates(RoutingCsv.rates("trunk,prefix,cost_per_minute\ncarrier1,86,0.001\ncheap,86,0.01\n").rows()));
        assertThat(await(other.reloadIfChanged())).isTrue();
        assertThat(other.version()).isEqualTo(await(store.version()));
        assertThat(await(other.choose(q)).stream().map(RouteChoice::trunkId).toList()).containsExactly("carrier1", "cheap");
    }
}
