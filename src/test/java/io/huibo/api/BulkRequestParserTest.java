package io.huibo.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.huibo.domain.CallFlow;
import io.huibo.service.CallbackOperations.BulkRow;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BulkRequestParserTest {

    private static String field(BulkRow r) {
        return ((InvalidRequestException) r.invalid()).field();
    }

    @Test
    void jsonRowsAreEachValidatedLikeASingleRequest() {
        List<BulkRow> rows = BulkRequestParser.json(Buffer.buffer("""
                [{"number":"+8613800138000","destination":"+8613900139000","priority":5},
                 {"number":"8613800138000","destination":"+8613900139000"},
                 42,
                 {"number":"+8613800138001","destination":"8001","metadata":{"c":"x"},"flow":"agent-first"},
                 {"number":"+8613800138002","destination":"8001","destinaton":"1"}]"""));
        assertThat(rows).hasSize(5);
        assertThat(rows.get(0).request().priority()).isEqualTo(5);
        assertThat(field(rows.get(1))).isEqualTo("number");
        assertThat(rows.get(2).invalid()).hasMessageContaining("not a JSON object");
        assertThat(rows.get(3).request().metadata()).isEqualTo(Map.of("c", "x"));
        assertThat(rows.get(3).request().flow()).isEqualTo(CallFlow.AGENT_FIRST);
        assertThat(field(rows.get(4))).isEqualTo("destinaton");
    }

    @Test
    void aBodyThatIsNotAnArrayIsRefusedWhole() {
        assertThatThrownBy(() -> BulkRequestParser.json(Buffer.buffer("{\"number\":\"+8613800138000\"}")))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void csvColumnsAreTheJsonFieldsWithMetadataColumns() {
        List<BulkRow> rows = BulkRequestParser.csv(Buffer.buffer("""
                number,destination,at,priority,maxAttempts,confirm,metadata.campaign
                +8613800138000,+8613900139000,2099-01-01T00:00:00Z,3,2,true,spring
                +8613800138001,8001,,,,,
                +8613800138002,8001,,high,,,
                "+86138&PJSIP/1",8001,,,,,
                +8613800138003,8001,,,,maybe,
                +8613800138004,8001
                """));
        assertThat(rows).hasSize(6);
        var first = rows.get(0).request();
        assertThat(first.at()).isEqualTo(Instant.parse("2099-01-01T00:00:00Z"));
        assertThat(first.priority()).isEqualTo(3);
        assertThat(first.maxAttempts()).isEqualTo(2);
        assertThat(first.confirm()).isTrue();
        assertThat(first.metadata()).isEqualTo(Map.of("campaign", "spring"));
        // empty cells are absent fields: the defaults apply
        assertThat(rows.get(1).request().priority()).isZero();
        assertThat(rows.get(1).request().metadata()).isEmpty();
        assertThat(field(rows.get(2))).isEqualTo("priority");
        assertThat(field(rows.get(3))).isEqualTo("number");
        assertThat(field(rows.get(4))).isEqualTo("confirm");
        assertThat(rows.get(5).invalid()).hasMessageContaining("fields");
    }

    @Test
    void anUnknownCsvColumnIsRefusedWhole() {
        assertThatThrownBy(() -> BulkRequestParser.csv(Buffer.buffer("number,destinaton\n+8613800138000,1\n")))
                .isInstanceOf(InvalidRequestException.class)
                .satisfies(e -> assertThat(((InvalidRequestException) e).field()).isEqualTo("destinaton"));
    }

    @Test
    void anUnterminatedQuoteIsNotCsv() {
        assertThatThrownBy(() -> BulkRequestParser.csv(Buffer.buffer("number,destination\n\"+8613800138000,1\n")))
                .isInstanceOf(InvalidRequestException.class);
    }
}
