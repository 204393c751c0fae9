package io.huibo.events;

import io.huibo.Stack;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A test client of GET /v1/events: parses the frames as a browser's EventSource would. */
final class SseClient implements AutoCloseable {
    record Frame(long id, String event, JsonObject data) {
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    private final InputStream body;
    final int status;
    final java.net.http.HttpHeaders headers;
    volatile int heartbeats;

    SseClient(String url, Long lastEventId) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + Stack.TOKEN)
                .header("Accept", "text/event-stream").GET();
        if (lastEventId != null) {
            b.header("Last-Event-ID", Long.toString(lastEventId));
        }
        HttpResponse<InputStream> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        status = r.statusCode();
        headers = r.headers();
        body = r.body();
        Thread t = new Thread(this::read, "sse-client");
        t.setDaemon(true);
        t.start();
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            long id = -1;
            String event = "message";
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        frames.add(new Frame(id, event, new JsonObject(data.toString())));
                    }
                    id = -1;
                    event = "message";
                    data.setLength(0);
                } else if (line.startsWith(":")) {
                    if (line.contains("heartbeat")) {
                        heartbeats++;
                    }
                } else if (line.startsWith("id: ")) {
                    id = Long.parseLong(line.substring(4));
                } else if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                }
            }
        } catch (IOException e) {
            // closed
        }
    }

    /** The next frame, or null after {@code timeout}. */
    Frame next(Duration timeout) throws InterruptedException {
        return frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws IOException {
        body.close();
    }
}
