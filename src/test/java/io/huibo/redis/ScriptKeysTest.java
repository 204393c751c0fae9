package io.huibo.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every key a script touches comes from KEYS, so the scripts run on a Redis Cluster (where a script may
 * only touch the keys it declares) and every state change uses Redis' clock, not an argument's.
 */
class ScriptKeysTest {
    private static final Path SCRIPTS = Path.of("src/main/resources/io/huibo");
    /** Commands without a key argument (INFO: the serving process's run_id, in epoch.lua). */
    private static final Set<String> KEYLESS = Set.of("TIME", "INFO");
    private static final Pattern CALL = Pattern.compile("redis\\.call\\(\\s*'([A-Z]+)'\\s*(?:,\\s*([^,)]+))?");

    static List<Path> scripts() throws IOException {
        try (Stream<Path> s = Files.walk(SCRIPTS)) {
            return s.filter(p -> p.toString().endsWith(".lua")).sorted().toList();
        }
    }

    @Test
    void everyKeyIsPassedInKeys() throws IOException {
        List<String> offending = new ArrayList<>();
        List<Path> all = scripts();
        assertThat(all).as("the scripts are found").hasSizeGreaterThan(10);
        for (Path p : all) {
            Matcher m = CALL.matcher(Files.readString(p));
            while (m.find()) {
                String cmd = m.group(1);
                String key = m.group(2) == null ? "" : m.group(2).trim();
                if (!KEYLESS.contains(cmd) && !key.matches("KEYS\\[[^\\]]+\\]")) {
                    offending.add(p.getFileName() + ": " + m.group());
                }
            }
        }
        assertThat(offending).as("redis.call with a key not from KEYS").isEmpty();
    }

    @Test
    void timeComesFromRedis() throws IOException {
        List<String> offending = new ArrayList<>();
        for (Path p : scripts()) {
            String body = Files.readString(p);
            // a script that compares or stores times must read them from Redis, never from ARGV
            if (body.matches("(?s).*(?i:now|millis|expiry).*") && body.contains("ARGV")
                    && Pattern.compile("(?i)(now|expiry)[^\\n=]*=\\s*[^\\n]*ARGV").matcher(body).find()) {
                offending.add(p.getFileName().toString());
            }
        }
        assertThat(offending).as("scripts taking the time from their arguments").isEmpty();
    }
}
