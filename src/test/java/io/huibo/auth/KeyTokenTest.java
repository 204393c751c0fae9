package io.huibo.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyTokenTest {

    @Test
    void aGeneratedKeyHasTheDocumentedShapeAndParsesBack() {
        KeyToken t = KeyToken.generate();
        String token = t.token();
        assertThat(token).matches("hb_[0-9a-f]{12}_[A-Za-z0-9_-]{43}");
        assertThat(Base64.getUrlDecoder().decode(t.secret())).hasSize(32);
        assertThat(KeyToken.parse(token)).contains(t);
        assertThat(t.toString()).doesNotContain(t.secret()).contains(t.keyId());
    }

    @Test
    void secretsAndIdsAreNotRepeated() {
        Set<String> ids = new HashSet<>();
        Set<String> secrets = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            KeyToken t = KeyToken.generate();
            ids.add(t.keyId());
            secrets.add(t.secret());
        }
        assertThat(ids).hasSize(1000);
        assertThat(secrets).hasSize(1000);
    }

    @Test
    void rotationKeepsTheIdAndChangesTheSecret() {
        KeyToken t = KeyToken.generate();
        KeyToken r = t.rotated();
        assertThat(r.keyId()).isEqualTo(t.keyId());
        assertThat(r.secret()).isNotEqualTo(t.secret());
    }

    @Test
    void aSecretMayContainTheSeparator() {
        String secret = "ab_" + "c".repeat(40);
        assertThat(KeyToken.parse("hb_0123456789ab_" + secret)).contains(new KeyToken("0123456789ab", secret));
    }

    @Test
    void anythingElseIsNotAKey() {
        String ok = KeyToken.generate().token();
        assertThat(KeyToken.parse(null)).isEmpty();
        assertThat(KeyToken.parse("")).isEmpty();
        assertThat(KeyToken.parse("it-token-0000-1111")).isEmpty();
        assertThat(KeyToken.parse(ok.substring(0, ok.length() - 1))).isEmpty();
        assertThat(KeyToken.parse(ok + "A")).isEmpty();
        assertThat(KeyToken.parse("HB" + ok.substring(2))).isEmpty();
        assertThat(KeyToken.parse("hb_0123456789AB_" + "c".repeat(43))).isEmpty();
        assertThat(KeyToken.parse("hb_0123456789ab-" + "c".repeat(43))).isEmpty();
        assertThat(KeyToken.parse("hb_0123456789ab_" + "c".repeat(42) + "=")).isEmpty();
    }

    @Test
    void theStoredHashIsTheSha256OfTheSecretOnly() throws Exception {
        KeyToken t = KeyToken.generate();
        String expected = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(t.secret().getBytes(StandardCharsets.UTF_8)));
        assertThat(t.secretSha256Hex()).isEqualTo(expected).hasSize(64).doesNotContain(t.secret());
    }

    @Test
    void scopesRoundTripThroughTheStoredForm() {
        assertThat(Scope.join(EnumSet.of(Scope.ADMIN, Scope.CALLBACKS_READ))).isEqualTo("callbacks:read admin");
        assertThat(Scope.split("callbacks:read admin")).containsExactlyInAnyOrder(Scope.ADMIN, Scope.CALLBACKS_READ);
        assertThat(Scope.split(Scope.join(Scope.all()))).isEqualTo(Scope.all());
        // a scope of a newer version grants nothing here
        assertThat(Scope.split("operate future:scope")).containsExactly(Scope.OPERATE);
        assertThat(Scope.parse("Admin")).isEmpty();
    }
}
