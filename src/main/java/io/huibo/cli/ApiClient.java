package io.huibo.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The operator commands talk to a running Huibo over its HTTP API, like any other client. */
final class ApiClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;

    ApiClient(String base, String token) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.token = token;
    }

    HttpResponse<String> send(String method, String path, String body, String idempotencyKey)
            throws InterruptedException {
        return send(method, path, body, idempotencyKey, "application/json");
    }

    /**
     * A streamed answer ({@code text/event-stream}), read line by line as it arrives; no overall time
     * limit, only the connection's.
     */
    HttpResponse<java.util.stream.Stream<String>> stream(String path, String lastEventId) throws InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "text/event-stream")
                .GET();
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofLines());
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    /** @throws CliException (exit code 1) when the server cannot be reached or does not answer */
    HttpResponse<String> send(String method, String path, String body, String idempotencyKey, String contentType)
            throws InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(15))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", contentType);
        }
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    CliException unreachable(IOException e) {
        String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return new CliException(1, "cannot reach " + base + ": " + why);
    }

    private URI uri(String path) {
        URI uri;
        try {
            uri = URI.create(base + path);
        } catch (IllegalArgumentException e) {
            throw new CliException(2, "not a URL: " + base);
        }
        if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
            throw new CliException(2, "not an http(s) URL: " + base);
        }
        return uri;
    }
}
