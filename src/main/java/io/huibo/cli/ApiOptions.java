package io.huibo.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the API is, the key for it (see {@link CliSettings}) and how to print answers. */
final class ApiOptions {
    @Option(names = "--api", paramLabel = "URL",
            description = "Huibo API base URL (default: $HUIBO_API_URL, the config file, or " + CliSettings.DEFAULT_URL + ")")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "API key (default: $HUIBO_API_TOKEN or the config file ~/.config/huibo/cli.properties)")
    String token;

    @Option(names = "--json", description = "print the API's JSON as it is, for scripts")
    boolean json;

    ApiClient client() {
        CliSettings s = CliSettings.resolve(url, token, System.getenv(), home());
        if (s.token() == null) {
            throw new CliException(2, "no API key: pass --token, set HUIBO_API_TOKEN or put token=... in "
                    + CliSettings.configFile(System.getenv(), home()));
        }
        return new ApiClient(s.url(), s.token());
    }

    /** $HOME as shells and other tools use it (Java's user.home comes from the password file). */
    private static Path home() {
        String h = System.getenv("HOME");
        return Path.of(h != null && !h.isBlank() ? h : System.getProperty("user.home"));
    }

    Output out() {
        return new Output(json, System.out, System.err);
    }
}
