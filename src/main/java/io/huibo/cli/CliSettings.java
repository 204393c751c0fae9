package io.huibo.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Where the API is and which key to use: a flag wins over the environment ({@code HUIBO_API_URL},
 * {@code HUIBO_API_TOKEN}), which wins over the user's file ({@code $HUIBO_CLI_CONFIG}, else
 * {@code ~/.config/huibo/cli.properties}, keys {@code api} and {@code token}), which wins over the
 * default URL. Keys never come from code.
 */
record CliSettings(String url, String token) {
    static final String DEFAULT_URL = "http://127.0.0.1:8080";

    static CliSettings resolve(String flagUrl, String flagToken, Map<String, String> env, Path home) {
        Properties file = read(configFile(env, home));
        String url = first(flagUrl, env.get("HUIBO_API_URL"), file.getProperty("api"), DEFAULT_URL);
        String token = first(flagToken, env.get("HUIBO_API_TOKEN"), file.getProperty("token"), null);
        return new CliSettings(url, token);
    }

    static Path configFile(Map<String, String> env, Path home) {
        String named = env.get("HUIBO_CLI_CONFIG");
        if (named != null && !named.isBlank()) {
            return Path.of(named);
        }
        return home.resolve(".config/huibo/cli.properties");
    }

    private static Properties read(Path file) {
        Properties p = new Properties();
        if (!Files.isRegularFile(file)) {
            return p;
        }
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException(2, "cannot read " + file + ": " + e.getMessage());
        }
        if (p.getProperty("token") != null && readableByOthers(file)) {
            // like ssh with a private key: say so, the key is as good as leaked on a shared host
            System.err.println("huibo: warning: " + file + " holds an API key and others can read it (chmod 600 it)");
        }
        return p;
    }

    private static boolean readableByOthers(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            return perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }
}
