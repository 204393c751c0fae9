package io.huibo.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CallbackIdsTest {

    @Test
    void idsAreValidUniqueAndTimeOrdered() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = CallbackIds.next();
            assertThat(CallbackIds.isValid(id)).isTrue();
            assertThat(seen.add(id)).isTrue();
        }
        String earlier = CallbackIds.next(1_700_000_000_000L);
        String later = CallbackIds.next(1_700_000_000_001L);
        assertThat(earlier.substring(0, 10)).isLessThan(later.substring(0, 10));
    }

    @Test
    void rejectsMalformedIds() {
        assertThat(CallbackIds.isValid(null)).isFalse();
        assertThat(CallbackIds.isValid("short")).isFalse();
        assertThat(CallbackIds.isValid("01ARZ3NDEKTSV4RRFFQ69G5FA/")).isFalse();
        assertThat(CallbackIds.isValid("01arz3ndektsv4rrffq69g5fav")).isFalse();
    }
}
