package io.huibo.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.huibo.domain.Leg;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class RoutingCsvTest {

    static final String TRUNKS = """
            id,dial,max_concurrent,max_cps,enabled
            carrier1,PJSIP/{number}@carrier1,30,5,true
            carrier2,SIP/carrier2/{number},0,0,false
            """;
    static final String ROUTES = """
            table,leg,prefix,trunk,weight,tz,days,start,end
            default,,86,carrier1,3,Asia/Shanghai,Mon-Fri,22:00,06:00
            default,b,,carrier2,1,,,,
            agents,a,2,carrier1,0,UTC,Sat-Sun,,
            """;
    static final String RATES = """
            trunk,prefix,cost_per_minute
            carrier1,86,0.0125
            carrier2,,1
            """;
    static final String TABLES = """
            table,strategies
            default,"time,prefix,cost"
            """;

    @Test
    void canonicalFilesSurviveARoundTrip() {
        assertThat(RoutingCsv.formatTrunks(RoutingCsv.trunks(TRUNKS).rows())).isEqualTo(TRUNKS);
        assertThat(RoutingCsv.formatRoutes(RoutingCsv.routes(ROUTES).rows())).isEqualTo(ROUTES);
        assertThat(RoutingCsv.formatRates(RoutingCsv.rates(RATES).rows())).isEqualTo(RATES);
        assertThat(RoutingCsv.formatTables(RoutingCsv.tables(TABLES).rows())).isEqualTo(TABLES);
    }

    @Test
    void fieldsAreRead() {
        Route r = RoutingCsv.routes(ROUTES).rows().get(0);
        assertThat(r.table()).isEqualTo("default");
        assertThat(r.leg()).isNull();
        assertThat(r.prefix()).isEqualTo("86");
        assertThat(r.weight()).isEqualTo(3);
        assertThat(r.window().startField()).isEqualTo("22:00");
        assertThat(RoutingCsv.routes(ROUTES).rows().get(2).leg()).isEqualTo(Leg.A);
        Trunk t = RoutingCsv.trunks(TRUNKS).rows().get(0);
        assertThat(t.maxConcurrent()).isEqualTo(30);
        assertThat(t.maxCallsPerSecond()).isEqualTo(5);
        assertThat(RoutingCsv.rates(RATES).rows().get(0).costPerMinute()).isEqualByComparingTo(new BigDecimal("0.0125"));
    }

    @Test
    void lenientInputBecomesCanonical() {
        String in = "\uFEFFID, Dial ,MAX_CONCURRENT,max_cps,enabled\r\n\r\n c1 ,PJSIP/{number}@c1,,,\r\n";
        var rows = RoutingCsv.trunks(in);
        assertThat(rows.lines()).containsExactly(3);
        assertThat(RoutingCsv.formatTrunks(rows.rows()))
                .isEqualTo("id,dial,max_concurrent,max_cps,enabled\nc1,PJSIP/{number}@c1,0,0,true\n");
        assertThat(RoutingCsv.routes("table,leg,prefix,trunk,weight,tz,days,start,end\nt,B,+49,c1,,,,,\n").rows().get(0))
                .isEqualTo(new Route("t", Leg.B, "49", "c1", 1, null));
    }

    @Test
    void aBadRowNamesItsLineAndColumn() {
        assertBad(RoutingCsv.Kind.ROUTES, "default,,86,carrier1,1,,,,\ndefault,,8x6,carrier1,1,,,,\n", 3, "prefix");
        assertBad(RoutingCsv.Kind.ROUTES, "default,c,86,carrier1,1,,,,\n", 2, "leg");
        assertBad(RoutingCsv.Kind.ROUTES, "default,,86,carrier1,1,Mars/Base,,22:00,06:00\n", 2, "tz");
        assertBad(RoutingCsv.Kind.ROUTES, "default,,86,carrier1,1,UTC,Mon-Fri,22:00,\n", 2, "end");
        assertBad(RoutingCsv.Kind.ROUTES, "default,,86,carrier1,-1,,,,\n", 2, "weight");
        assertBad(RoutingCsv.Kind.ROUTES, "default,,86,carrier1,1,,,\n", 2, null);
        assertBad(RoutingCsv.Kind.TRUNKS, "c1,PJSIP/{number}@c1&PJSIP/evil,0,0,true\n", 2, "dial");
        assertBad(RoutingCsv.Kind.TRUNKS, "c1,PJSIP/{number}@c1,0,0,true\nc1,PJSIP/{number}@c2,0,0,true\n", 3, "id");
        assertBad(RoutingCsv.Kind.TRUNKS, "c;1,PJSIP/{number}@c1,0,0,true\n", 2, "id");
        assertBad(RoutingCsv.Kind.TRUNKS, "c1,PJSIP/{number}@c1,many,0,true\n", 2, "max_concurrent");
        assertBad(RoutingCsv.Kind.TRUNKS, "c1,PJSIP/{number}@c1,0,0,maybe\n", 2, "enabled");
        assertBad(RoutingCsv.Kind.RATES, "c1,86,-1\n", 2, "cost_per_minute");
        assertBad(RoutingCsv.Kind.RATES, "c1,86,0.0000001\n", 2, "cost_per_minute");
        assertBad(RoutingCsv.Kind.RATES, "c1,86,1\nc1,+86,2\n", 3, "prefix");
        assertBad(RoutingCsv.Kind.TABLES, "default,\"prefix,random\"\n", 2, "strategies");
        assertBad(RoutingCsv.Kind.TABLES, "default,\"prefix,prefix\"\n", 2, "strategies");
        // a quoted line break moves the line count on
        assertBad(RoutingCsv.Kind.TABLES, "a,\"prefix,\ncost\"\nb,nope\n", 4, "strategies");
    }

    @Test
    void theHeaderAndTheQuotingAreChecked() {
        assertThatThrownBy(() -> RoutingCsv.trunks("id,dial\nc1,PJSIP/{number}@c1\n"))
                .isInstanceOfSatisfying(RoutingCsv.CsvException.class, e -> {
                    assertThat(e.line()).isEqualTo(1);
                    assertThat(e.getMessage()).contains("id,dial,max_concurrent,max_cps,enabled");
                });
        assertThatThrownBy(() -> RoutingCsv.trunks(""))
                .isInstanceOfSatisfying(RoutingCsv.CsvException.class, e -> assertThat(e.line()).isZero());
        assertThatThrownBy(() -> RoutingCsv.tables("table,strategies\na,\"prefix\n"))
                .isInstanceOfSatisfying(RoutingCsv.CsvException.class, e -> assertThat(e.line()).isEqualTo(2));
        assertThat(RoutingCsv.trunks("id,dial,max_concurrent,max_cps,enabled\n").rows()).isEmpty();
    }

    static void assertBad(RoutingCsv.Kind kind, String body, int line, String column) {
        String text = String.join(",", kind.header()) + "\n" + body;
        assertThatThrownBy(() -> {
            switch (kind) {
                case TRUNKS -> RoutingCsv.trunks(text);
                case ROUTES -> RoutingCsv.routes(text);
                case RATES -> RoutingCsv.rates(text);
                case TABLES -> RoutingCsv.tables(text);
            }
        }).as("%s %s", kind, body).isInstanceOfSatisfying(RoutingCsv.CsvException.class, e -> {
            assertThat(e.line()).as("line of %s", e.getMessage()).isEqualTo(line);
            assertThat(e.column()).as("column of %s", e.getMessage()).isEqualTo(column);
            assertThat(e.getMessage()).startsWith("line " + line);
        });
    }
}
