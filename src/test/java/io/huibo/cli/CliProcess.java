package io.huibo.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The {@code huibo} CLI run as an operator runs it: the jar as a process, its exit code and both outputs. */
final class CliProcess {
    private static final Path JAR = Path.of(System.getProperty("huibo.jar", "target/huibo.jar"));

    record Run(int code, String out, String err) {
        JsonObject json() {
            return new JsonObject(out.strip());
        }

        JsonArray array() {
            return new JsonArray(out.strip());
        }
    }

    private CliProcess() {
    }

    /**
     * Runs {@code huibo args} with only {@code env} for the server, key and config file (the test
     * JVM's own HUIBO_API_URL, HUIBO_API_TOKEN and HUIBO_CLI_CONFIG are not passed on); the outputs go
     * through files in {@code dir}, so a large one cannot block the process.
     */
    static Run run(Path dir, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-jar", JAR.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("HUIBO_API_URL");
        pb.environment().remove("HUIBO_API_TOKEN");
        pb.environment().remove("HUIBO_CLI_CONFIG");
        pb.environment().putAll(env);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("huibo " + String.join(" ", args) + " did not end");
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
