package io.huibo.store;

import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class StoreMappingTest {

    @Test
    void metadataSurvivesJsonRoundTrip() throws Exception {
        Map<String, String> meta = Map.of("order", "A-17", "quote\"d", "line\nbreak", "unicode", "回拨");
        String json = CallbackStore.encodeMetadata(meta);
        assertThat(json).startsWith("{").doesNotContain("\n");
        assertThat(CallbackStore.decodeMetadata(json)).isEqualTo(meta);
        assertThat(CallbackStore.decodeMetadata("{}")).isEmpty();
        assertThat(CallbackStore.decodeMetadata(null)).isEmpty();
    }

    @Test
    void timesAreCutToMilliseconds() {
        Instant t = Instant.parse("2026-01-02T03:04:05.678901234Z");
        assertThat(StoreSupport.millis(t)).isEqualTo(Instant.parse("2026-01-02T03:04:05.678Z"));
        assertThat(StoreSupport.millis(null)).isNull();
    }

    @Test
    void errorMessagesAreOneLine() {
        var cfg = new io.huibo.config.HuiboConfig.Db("jdbc:mariadb://127.0.0.1:3307/huibo", "huibo", "pw", 4);
        var denied = new SQLException("(conn=42) Access denied for user 'huibo'@'localhost' (using password: YES)",
                "28000", 1045);
        assertThat(Database.translate(denied, cfg, "jdbc:mariadb://127.0.0.1:3307/huibo").getMessage())
                .isEqualTo("MariaDB refused user huibo: Access denied");
        var refused = new SQLException("Socket fail to connect to host:address=(host=127.0.0.1)(port=3307)",
                "08000", -1, new java.net.ConnectException("Connection refused"));
        assertThat(Database.translate(refused, cfg, "jdbc:mariadb://127.0.0.1:3307/huibo").getMessage())
                .isEqualTo("MariaDB unreachable at jdbc:mariadb://127.0.0.1:3307/huibo: Connection refused");
    }
}
