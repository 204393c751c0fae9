package io.huibo.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.huibo.webhooks.WebhookUrls;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

/** The {@code webhook} field of POST /v1/callbacks. */
class CallbackWebhookFieldTest {
    private static final String BASE = "{\"number\":\"+8613800138000\",\"destination\":\"2001\"";

    private static void refused(String json, WebhookUrls rule, String detailPart) {
        assertThatThrownBy(() -> CallbackRequestParser.parse(Buffer.buffer(json), null, rule))
                .isInstanceOf(InvalidRequestException.class)
                .satisfies(e -> {
                    assertThat(((InvalidRequestException) e).field()).isEqualTo("webhook");
                    assertThat(e.getMessage()).contains(detailPart);
                });
    }

    @Test
    void aPublicUrlIsKept() {
        var r = CallbackRequestParser.parse(Buffer.buffer(BASE + ",\"webhook\":\"https://hooks.example.com/h\"}"), null,
                new WebhookUrls(false));
        assertThat(r.webhook()).isEqualTo("https://hooks.example.com/h");
        assertThat(CallbackRequestParser.parse(Buffer.buffer(BASE + "}"), null, new WebhookUrls(false)).webhook()).isNull();
    }

    @Test
    void refusedWhenTheServerSendsNoWebhooks() {
        refused(BASE + ",\"webhook\":\"https://hooks.example.com/h\"}", null, "webhooks.secret");
    }

    @Test
    void refusedForOtherSchemesPrivateTargetsAndNonStrings() {
        refused(BASE + ",\"webhook\":\"ftp://example.com/h\"}", new WebhookUrls(false), "http or https");
        refused(BASE + ",\"webhook\":\"http://127.0.0.1:9/h\"}", new WebhookUrls(false), "loopback");
        refused(BASE + ",\"webhook\":\"http://localhost/h\"}", new WebhookUrls(false), "localhost");
        refused(BASE + ",\"webhook\":42}", new WebhookUrls(false), "URL string");
    }

    @Test
    void loopbackAllowedWhenConfigured() {
        var r = CallbackRequestParser.parse(Buffer.buffer(BASE + ",\"webhook\":\"http://127.0.0.1:9/h\"}"), null,
                new WebhookUrls(true));
        assertThat(r.webhook()).isEqualTo("http://127.0.0.1:9/h");
    }
}
