package io.huibo.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.huibo.domain.CallState;
import io.huibo.domain.CallbackIds;
import io.huibo.store.CallbackFilter;
import io.vertx.core.MultiMap;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CallbackListParamsTest {

    private static MultiMap q(String... kv) {
        MultiMap m = MultiMap.caseInsensitiveMultiMap();
        for (int i = 0; i < kv.length; i += 2) {
            m.add(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void noParametersIsEveryCallbackFirstPageDefaultLimit() {
        CallbackListParams.ListQuery l = CallbackListParams.list(q());
        assertThat(l.filter()).isEqualTo(CallbackFilter.ANY);
        assertThat(l.filter().narrowsBeyondState()).isFalse();
        assertThat(l.limit()).isEqualTo(CallbackListParams.DEFAULT_LIMIT);
        assertThat(l.before()).isNull();
    }

    @Test
    void everyFilterIsRead() {
        CallbackListParams.ListQuery l = CallbackListParams.list(q(
                "state", "failed,cancelled", "state", "queued",
                "number", "+8613800138000", "destination", "8001", "node", "pbx1",
                "createdFrom", "2026-12-01T00:00:00Z", "createdTo", "2026-12-02T00:00:00+08:00",
                "dueFrom", "2026-12-01T00:00:00Z", "dueTo", "2026-12-03T00:00:00Z",
                "endedFrom", "2026-12-01T10:00:00Z", "endedTo", "2026-12-01T11:00:00Z",
                "metadata.campaign", "spring", "metadata.crm:id", "42", "limit", "7"));
        CallbackFilter f = l.filter();
        assertThat(f.states()).containsExactlyInAnyOrder(CallState.FAILED, CallState.CANCELLED, CallState.QUEUED);
        assertThat(f.number()).isEqualTo("+8613800138000");
        assertThat(f.destination()).isEqualTo("8001");
        assertThat(f.node()).isEqualTo("pbx1");
        assertThat(f.createdFrom()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(f.createdTo()).isEqualTo(Instant.parse("2026-12-01T16:00:00Z"));
        assertThat(f.dueTo()).isEqualTo(Instant.parse("2026-12-03T00:00:00Z"));
        assertThat(f.endedFrom()).isEqualTo(Instant.parse("2026-12-01T10:00:00Z"));
        assertThat(f.endedTo()).isEqualTo(Instant.parse("2026-12-01T11:00:00Z"));
        assertThat(f.metadata()).containsExactly(Map.entry("campaign", "spring"), Map.entry("crm:id", "42"));
        assertThat(f.narrowsBeyondState()).isTrue();
        assertThat(l.limit()).isEqualTo(7);
    }

    @Test
    void aPlusDecodedAsASpaceIsAPlusAgain() {
        // ?number=+861...&dueFrom=...+08:00 unescaped: the query decoder turns each '+' into a space
        CallbackFilter f = CallbackListParams.list(q("number", " 8613800138000",
                "dueFrom", "2026-12-01T08:00:00 08:00")).filter();
        assertThat(f.number()).isEqualTo("+8613800138000");
        assertThat(f.dueFrom()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    }

    @Test
    void onlyStatesIsNotANarrowingFilter() {
        CallbackFilter f = CallbackListParams.filterOnly(q("state", "queued"));
        assertThat(f.states()).isEqualTo(Set.of(CallState.QUEUED));
        assertThat(f.narrowsBeyondState()).isFalse();
    }

    @ParameterizedTest(name = "{0}={1} -> field {2}")
    @CsvSource(delimiter = '|', value = {
            "state|ringing|state",
            "state|queued,|state",
            "number|+86138abc|number",
            "number|+861&PJSIP/1|number",
            "destination|12 34|destination",
            "createdFrom|yesterday|createdFrom",
            "dueTo|2026-12-01T00:00:00|dueTo",
            "limit|0|limit",
            "limit|501|limit",
            "limit|ten|limit",
            "cursor|not-a-cursor|cursor",
            "cursor|YzE6eA|cursor",
            "metadata.a\"b|x|metadata.a\"b",
            "metadata.|x|metadata.",
            "frobnicate|1|frobnicate",
            "State|queued|State",
    })
    void badParametersAreRefusedNamingThem(String name, String value, String field) {
        assertThatThrownBy(() -> CallbackListParams.list(q(name, value)))
                .isInstanceOf(InvalidRequestException.class)
                .satisfies(e -> assertThat(((InvalidRequestException) e).field()).isEqualTo(field));
    }

    @Test
    void aRangeMustEndAfterItStarts() {
        assertThatThrownBy(() -> CallbackListParams.list(q("createdFrom", "2026-12-02T00:00:00Z",
                "createdTo", "2026-12-01T00:00:00Z")))
                .isInstanceOf(InvalidRequestException.class)
                .satisfies(e -> assertThat(((InvalidRequestException) e).field()).isEqualTo("createdTo"));
    }

    @Test
    void aParameterGivenTwiceIsRefused() {
        assertThatThrownBy(() -> CallbackListParams.list(q("number", "+8613800138000", "number", "+8613800138001")))
                .isInstanceOf(InvalidRequestException.class)
                .satisfies(e -> assertThat(((InvalidRequestException) e).field()).isEqualTo("number"));
    }

    @Test
    void pagingIsNotAFilterOfABulkCancel() {
        assertThatThrownBy(() -> CallbackListParams.filterOnly(q("number", "+8613800138000", "limit", "5")))
                .isInstanceOf(InvalidRequestException.class)
                .satisfies(e -> assertThat(((InvalidRequestException) e).field()).isEqualTo("limit"));
    }

    @Test
    void aCursorComesBackAsTheIdItWasMadeOf() {
        String id = CallbackIds.next();
        String cursor = CallbackListParams.encodeCursor(id);
        assertThat(cursor).doesNotContain(id).matches("[A-Za-z0-9_-]+");
        assertThat(CallbackListParams.list(q("cursor", cursor)).before()).isEqualTo(id);
    }
}
