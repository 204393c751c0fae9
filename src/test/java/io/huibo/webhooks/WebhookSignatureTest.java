package io.huibo.webhooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {
    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
    private static final String BODY = "{\"id\":7,\"type\":\"state\"}";
    private final WebhookSignature sig = new WebhookSignature("test-secret-0123456789");

    @Test
    void headerIsTimestampAndHmacOfTimestampDotBody() {
        // computed independently: printf '1796637600.{"id":7,"type":"state"}' | openssl dgst -sha256 -hmac test-secret-0123456789
        assertThat(sig.header(NOW, BODY)).isEqualTo(
                "t=1796637600,v1=ba2324ddfc6d5dc59bdd8b177a991f0459dcfc08185c6783de34e701f0984a61");
    }

    @Test
    void verifiesItsOwnHeaderWithinTheTolerance() {
        String h = sig.header(NOW, BODY);
        assertThat(sig.verify(h, BODY, NOW.plusSeconds(60), Duration.ofMinutes(5))).isTrue();
        assertThat(sig.verify(h, BODY, NOW.plusSeconds(301), Duration.ofMinutes(5))).isFalse();
    }

    @Test
    void refusesAnotherBodySecretOrTimestamp() {
        String h = sig.header(NOW, BODY);
        assertThat(sig.verify(h, BODY + " ", NOW, Duration.ofMinutes(5))).isFalse();
        assertThat(new WebhookSignature("another-secret-0123456").verify(h, BODY, NOW, Duration.ofMinutes(5))).isFalse();
        String moved = h.replace("t=" + NOW.getEpochSecond(), "t=" + (NOW.getEpochSecond() + 1));
        assertThat(sig.verify(moved, BODY, NOW, Duration.ofMinutes(5))).isFalse();
        assertThat(sig.verify(null, BODY, NOW, Duration.ofMinutes(5))).isFalse();
        assertThat(sig.verify("garbage", BODY, NOW, Duration.ofMinutes(5))).isFalse();
    }

    @Test
    void acceptsAnyOfSeveralV1Signatures() {
        String h = sig.header(NOW, BODY);
        String v1 = h.substring(h.indexOf("v1="));
        assertThat(sig.verify("t=" + NOW.getEpochSecond() + ",v1=00ff," + v1, BODY, NOW, Duration.ofMinutes(5))).isTrue();
    }

    @Test
    void needsASecret() {
        assertThatThrownBy(() -> new WebhookSignature("")).isInstanceOf(IllegalArgumentException.class);
    }
}
