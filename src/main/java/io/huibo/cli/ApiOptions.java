package io.huibo.cli;

import picocli.CommandLine.Option;

/** Where the API is and the token for it; from flags or the environment, never from code. */
final class ApiOptions {
    @Option(names = "--api", paramLabel = "URL", defaultValue = "${env:HUIBO_API_URL:-http://127.0.0.1:8080}",
            description = "Huibo API base URL (default: $HUIBO_API_URL or ${DEFAULT-VALUE})")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:HUIBO_API_TOKEN}",
            description = "API token (default: $HUIBO_API_TOKEN)")
    String token;

    ApiClient client() {
        if (token == null || token.isBlank()) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "no API token: pass --token or set HUIBO_API_TOKEN");
        }
        return new ApiClient(url, token);
    }
}
