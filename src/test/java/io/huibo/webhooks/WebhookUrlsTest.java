package io.huibo.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookUrlsTest {
    private final WebhookUrls strict = new WebhookUrls(false);
    private final WebhookUrls open = new WebhookUrls(true);

    @ParameterizedTest
    @ValueSource(strings = {"https://hooks.example.com/huibo", "http://203.0.113.9:8080/x?y=1", "https://[2001:db8::1]/h",
            "HTTPS://Example.COM/"})
    void publicHttpUrlsAreAccepted(String url) {
        assertThat(strict.problem(url)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://example.com/x", "file:///etc/passwd", "javascript:alert(1)", "example.com/x",
            "https:///nohost", "http://user:pw@example.com/", "https://example.com/#frag", "http://exa mple.com/"})
    void otherSchemesAndMalformedUrlsAreRefused(String url) {
        assertThat(strict.problem(url)).isPresent();
        assertThat(open.problem(url)).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://localhost:8080/", "http://api.localhost/", "http://127.0.0.1/", "http://127.8.9.10/",
            "http://10.1.2.3/", "http://172.16.0.1/", "http://172.31.255.255/", "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data", "http://0.0.0.0/", "http://100.64.0.1/", "http://[::1]/",
            "http://[fe80::1]/", "http://[fd00::1]/", "http://[::ffff:127.0.0.1]/", "http://[::]/", "http://224.0.0.1/"})
    void loopbackPrivateAndLinkLocalAreRefusedUnlessAllowed(String url) {
        assertThat(strict.problem(url)).isPresent();
        assertThat(open.problem(url)).isEmpty();
    }

    @Test
    void tooLongIsRefused() {
        assertThat(strict.problem("https://example.com/" + "a".repeat(WebhookUrls.MAX_LENGTH))).isPresent();
    }

    @Test
    void resolvedAddressesAreCheckedTheSameWay() throws Exception {
        assertThat(strict.allowed(InetAddress.getByName("127.0.0.1"))).isFalse();
        assertThat(strict.allowed(InetAddress.getByName("192.168.0.10"))).isFalse();
        assertThat(strict.allowed(InetAddress.getByName("172.15.0.1"))).isTrue();
        assertThat(strict.allowed(InetAddress.getByName("8.8.8.8"))).isTrue();
        assertThat(open.allowed(InetAddress.getByName("127.0.0.1"))).isTrue();
    }
}
