package io.huibo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliSettingsTest {
    @TempDir
    Path home;

    private void file(String content) throws Exception {
        Path f = home.resolve(".config/huibo/cli.properties");
        Files.createDirectories(f.getParent());
        Files.writeString(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void flagBeatsEnvironmentBeatsFileBeatsDefault() throws Exception {
        file("api=http://file:1\ntoken=file-key\n");
        Map<String, String> env = Map.of("HUIBO_API_URL", "http://env:2", "HUIBO_API_TOKEN", "env-key");

        assertThat(CliSettings.resolve("http://flag:3", "flag-key", env, home))
                .isEqualTo(new CliSettings("http://flag:3", "flag-key"));
        assertThat(CliSettings.resolve(null, null, env, home)).isEqualTo(new CliSettings("http://env:2", "env-key"));
        assertThat(CliSettings.resolve(null, null, Map.of(), home)).isEqualTo(new CliSettings("http://file:1", "file-key"));
        assertThat(CliSettings.resolve(null, null, Map.of(), home.resolve("nobody")))
                .isEqualTo(new CliSettings(CliSettings.DEFAULT_URL, null));
    }

    @Test
    void blankValuesDoNotHideTheNextSource() throws Exception {
        file("token=file-key\n");
        assertThat(CliSettings.resolve(" ", "", Map.of("HUIBO_API_TOKEN", ""), home))
                .isEqualTo(new CliSettings(CliSettings.DEFAULT_URL, "file-key"));
    }

    @Test
    void theFileCanBeNamedInTheEnvironment() throws Exception {
        Path f = home.resolve("other.properties");
        Files.writeString(f, "api=http://named:4\n");
        assertThat(CliSettings.resolve(null, null, Map.of("HUIBO_CLI_CONFIG", f.toString()), home).url())
                .isEqualTo("http://named:4");
    }

    @Test
    void aKeyFileOthersCanReadIsReported() throws Exception {
        file("token=file-key\n");
        Files.setPosixFilePermissions(home.resolve(".config/huibo/cli.properties"), PosixFilePermissions.fromString("rw-r--r--"));
        PrintStream was = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertThat(CliSettings.resolve(null, null, Map.of(), home).token()).isEqualTo("file-key");
        } finally {
            System.setErr(was);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("chmod 600");
    }

    @Test
    void anUnreadableFileIsBadUsage() throws Exception {
        file("api=\\u12\n");
        assertThatThrownBy(() -> CliSettings.resolve(null, null, Map.of(), home))
                .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitCode()).isEqualTo(2));
    }
}
