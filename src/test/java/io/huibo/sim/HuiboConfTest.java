package io.huibo.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.huibo.sim.dialplan.Dialplan;
import io.huibo.sim.dialplan.DialplanException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulator can run the repository's dialplan/huibo.conf, and refuses what it could not run. */
class HuiboConfTest {
    private static final Path FILE = Path.of("dialplan/huibo.conf");

    @Test
    void theRealDialplanLoadsWithEverythingItUses() throws Exception {
        Dialplan d = DialplanFiles.load(FILE);
        for (String ctx : new String[] {"huibo-leg-a", "huibo-connect", "huibo-agi", "huibo-memo", "huibo-answered"}) {
            assertThat(d.priority(ctx, "s", 1)).as(ctx).isPresent();
        }
        assertThat(d.priority("huibo-dialin", "5000", 1)).isPresent();
        assertThat(d.extension("huibo-leg-a", "h")).isPresent();
        assertThat(d.extension("huibo-connect", "h")).isPresent();
    }

    @Test
    void theJarCarriesTheFileAsItIs() throws Exception {
        try (InputStream in = HuiboConfTest.class.getResourceAsStream(DialplanFiles.RESOURCE)) {
            assertThat(in).as("dialplan/huibo.conf on the classpath").isNotNull();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(Files.readString(FILE));
        }
        assertThat(DialplanFiles.bundled().source()).contains("huibo.conf");
    }

    @Test
    void anUnknownApplicationOrFunctionIsRefusedWithFileAndLine(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "[huibo-leg-a]\nexten => s,1,Set(HUIBO_TRY=0)\n same => n,MixMonitor(x.wav)\n");
        assertThatThrownBy(() -> DialplanFiles.load(bad)).isInstanceOf(DialplanException.class)
            .hasMessage(bad + ":3: unknown application 'MixMonitor'");
        Files.writeString(bad, "[c]\n\nexten => s,1,Set(X=${SHELL(rm -rf /)})\n");
        assertThatThrownBy(() -> DialplanFiles.load(bad)).isInstanceOf(DialplanException.class)
            .hasMessage(bad + ":3: unknown function 'SHELL'");
    }
}
