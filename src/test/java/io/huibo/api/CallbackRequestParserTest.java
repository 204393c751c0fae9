package io.huibo.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.huibo.domain.CallFlow;
import io.huibo.service.NewCallback;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CallbackRequestParserTest {

    private static NewCallback parse(String json) {
        return CallbackRequestParser.parse(Buffer.buffer(json), null);
    }

    private static void refused(String json, String field) {
        assertThatThrownBy(() -> parse(json)).isInstanceOf(InvalidRequestException.class)
                .satisfies(e -> assertThat(((InvalidRequestException) e).field()).isEqualTo(field));
    }

    @Test
    void fullRequest() {
        NewCallback r = parse("""
                {"number":"+8613800138000","destination":"2001","at":"2026-11-25T18:00:00+08:00",
                 "priority":7,"maxAttempts":5,"callerId":"+8610100","metadata":{"ticket":"T-9"},
                 "flow":"agent-first","confirm":true}""");
        assertThat(r.number().value()).isEqualTo("+8613800138000");
        assertThat(r.destination().value()).isEqualTo("2001");
        assertThat(r.at()).isEqualTo(Instant.parse("2026-11-25T10:00:00Z"));
        assertThat(r.priority()).isEqualTo(7);
        assertThat(r.maxAttempts()).isEqualTo(5);
        assertThat(r.callerId().value()).isEqualTo("+8610100");
        assertThat(r.metadata()).containsEntry("ticket", "T-9");
        assertThat(r.flow()).isEqualTo(CallFlow.AGENT_FIRST);
        assertThat(r.confirm()).isTrue();
    }

    @Test
    void defaults() {
        NewCallback r = parse("{\"number\":\"+8613800138000\",\"destination\":\"+8613900139000\"}");
        assertThat(r.priority()).isZero();
        assertThat(r.maxAttempts()).isEqualTo(3);
        assertThat(r.at()).isNull();
        assertThat(r.flow()).isEqualTo(CallFlow.CUSTOMER_FIRST);
        assertThat(r.confirm()).isFalse();
        assertThat(r.metadata()).isEmpty();
    }

    @Test
    void everyBadFieldIsNamed() {
        String ok = "\"destination\":\"+8613900139000\"";
        refused("{" + ok + "}", "number");
        refused("{\"number\":\"+86 13800138000\"," + ok + "}", "number");
        refused("{\"number\":\"+8613800138000\",\"destination\":\"100;200\"}", "destination");
        refused("{\"number\":\"+8613800138000\"," + ok + ",\"priority\":\"5\"}", "priority");
        refused("{\"number\":\"+8613800138000\"," + ok + ",\"flow\":\"sideways\"}", "flow");
        refused("{\"number\":\"+8613800138000\"," + ok + ",\"confirm\":\"yes\"}", "confirm");
        refused("{\"number\":\"+8613800138000\"," + ok + ",\"extra\":1}", "extra");
        refused("{\"number\":\"+8613800138000\"," + ok + ",\"metadata\":[]}", "metadata");
        refused("not json", null);
        assertThatThrownBy(() -> CallbackRequestParser.parse(
                Buffer.buffer("{\"number\":\"+8613800138000\"," + ok + "}"), "bad key\n"))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void callingFieldsAreReadAndChecked() {
        NewCallback r = parse("{\"number\":\"+8613800138000\",\"destination\":\"100\",\"profile\":\"office\","
                + "\"at\":\"2026-11-25T10:00:00Z\",\"notAfter\":\"2026-11-25T12:00:00+01:00\",\"timeZone\":\"Asia/Tokyo\"}");
        assertThat(r.calling().profile()).isEqualTo("office");
        assertThat(r.calling().notAfter()).isEqualTo(Instant.parse("2026-11-25T11:00:00Z"));
        assertThat(r.calling().timeZone()).isEqualTo("Asia/Tokyo");
        NewCallback plain = parse("{\"number\":\"+8613800138000\",\"destination\":\"100\"}");
        assertThat(plain.calling()).isEqualTo(io.huibo.domain.Callback.Calling.DEFAULT);
        refused("{\"number\":\"+8613800138000\",\"destination\":\"100\",\"profile\":\"no spaces\"}", "profile");
        refused("{\"number\":\"+8613800138000\",\"destination\":\"100\",\"profile\":3}", "profile");
        refused("{\"number\":\"+8613800138000\",\"destination\":\"100\",\"timeZone\":\"+02:00\"}", "timeZone");
        refused("{\"number\":\"+8613800138000\",\"destination\":\"100\",\"timeZone\":\"Mars/Base\"}", "timeZone");
        refused("{\"number\":\"+8613800138000\",\"destination\":\"100\",\"notAfter\":\"tomorrow\"}", "notAfter");
        refused("{\"number\":\"+8613800138000\",\"destination\":\"100\",\"at\":\"2026-11-25T10:00:00Z\","
                + "\"notAfter\":\"2026-11-25T09:00:00Z\"}", "notAfter");
    }
}
