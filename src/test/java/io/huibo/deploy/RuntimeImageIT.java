package io.huibo.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.huibo.Stack;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The image's runtime (docker/Dockerfile jlinks the modules listed in docker/jre-modules) runs the server
 * and the simulator: a module missing from the list would only show as a ClassNotFoundException on a
 * production host, so the test builds the same runtime with this JDK's jlink, runs a callback's whole life
 * on it, and uses the runbooks' jcmd from it.
 */
@Tag("ha")
class RuntimeImageIT {

    @Test
    void theImagesRuntimeRunsTheServerTheSimulatorAndJcmd() throws Exception {
        Path jre = Files.createTempDirectory("huibo-jre").resolve("jre");
        try {
            String modules = Files.readString(Path.of("docker/jre-modules")).trim();
            Path jdk = Path.of(System.getProperty("java.home"));
            run(List.of(jdk.resolve("bin/jlink").toString(), "--add-modules", modules, "--strip-debug",
                    "--no-man-pages", "--no-header-files", "--output", jre.toString()), Duration.ofMinutes(3));

            try (Stack stack = new Stack().withJava(jre.resolve("bin/java"))) {
                Stack.Proc sim = stack.sim(1, 5, null);
                Stack.Proc huibo = stack.huibo(stack.huiboEnv(sim, 5));
                String id = stack.submit(huibo, new JsonObject().put("number", "+4930111222333")
                        .put("destination", "+4930444555666"));
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(stack.callback(huibo, id).getString("state")).isEqualTo("completed"));
                assertThat(stack.simCallsOf(sim, id)).hasSize(1);

                String version = run(List.of(jre.resolve("bin/jcmd").toString(),
                        Long.toString(huibo.pid()), "VM.version"), Duration.ofSeconds(30));
                assertThat(version).contains("OpenJDK");
            }
        } finally {
            deleteTree(jre.getParent());
        }
    }

    private static String run(List<String> cmd, Duration timeout) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)).as(cmd.get(0) + " ended").isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ":\n" + text).isZero();
        return text;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(paths::add);
        }
        for (Path p : paths) {
            Files.deleteIfExists(p);
        }
    }
}
