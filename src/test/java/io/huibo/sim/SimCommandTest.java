package io.huibo.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SimCommandTest {
    @Test
    void aDialplanItCannotRunStopsTheStartNamingFileAndLine(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("mine.conf");
        Files.writeString(bad, "[huibo-leg-a]\nexten => s,1,Set(HUIBO_TRY=0)\n same => n,Dial(PJSIP/1@t,30,L(5000))\n");
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new SimCommand()).execute("--secret", "x", "--base-port", "0", "--dialplan", bad.toString());
        } finally {
            System.setErr(err);
        }
        assertThat(code).isEqualTo(2);
        assertThat(captured.toString(StandardCharsets.UTF_8))
            .contains("sim: --dialplan: " + bad + ":3: Dial option 'L' is not supported by the simulator");
    }
}
