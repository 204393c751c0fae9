package io.huibo.webhooks;

import io.huibo.config.HuiboConfig;
import io.huibo.events.EventJson;
import io.huibo.store.EventTail;
import io.huibo.store.WebhookOutbox;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the webhook outbox: fills it from the event log (whichever instance holds the cursor row), claims
 * due deliveries with a lease, and posts each, signed, to its URL; a 2xx marks it delivered, anything else
 * schedules the next try with {@link Backoff} until {@code maxAttempts}. It runs on its own verticle and
 * reads only MariaDB, so a slow or dead receiver never holds up dispatch; an instance that dies mid-post
 * leaves a lease that expires, and another instance posts again (at least once).
 */
public final class WebhookSender extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);
    private static final int MAX_IN_FLIGHT = 64;
    private static final int FEED_BATCH = 500;

    private final WebhookOutbox outbox;
    private final HuiboConfig.Webhooks cfg;
    private final WebhookUrls urls;
    private final WebhookSignature signature;
    private final Backoff backoff;
    private final Clock clock;
    private final EventTail tail;
    private HttpClient client;
    private int inFlight;
    private boolean stopped;
    /** While MariaDB fails, one line when it starts, not one per poll. */
    private boolean failing;

    public WebhookSender(WebhookOutbox outbox, HuiboConfig.Webhooks cfg, Duration gapWait, Clock clock) {
        this.outbox = outbox;
        this.cfg = cfg;
        this.urls = new WebhookUrls(cfg.allowPrivate());
        this.signature = new WebhookSignature(cfg.secret());
        this.backoff = new Backoff(cfg.backoffBase(), cfg.backoffMax(), Math::random);
        this.clock = clock;
        this.tail = new EventTail(-1, gapWait);
    }

    @Override
    public Future<?> start() {
        int timeout = (int) cfg.timeout().toMillis();
        client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(timeout)
                        .setIdleTimeout(timeout).setIdleTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS)
                        .setKeepAlive(false),
                new PoolOptions().setHttp1MaxSize(MAX_IN_FLIGHT));
        feed();
        send();
        return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
        stopped = true;
        return client == null ? Future.succeededFuture() : client.close();
    }

    private void later(long millis, Runnable r) {
        if (!stopped) {
            vertx.setTimer(Math.max(1, millis), t -> r.run());
        }
    }

    private void feed() {
        outbox.feed(tail, clock.instant(), FEED_BATCH).onComplete(ar -> {
            if (ar.failed()) {
                warnOnce("filling the outbox", ar.cause());
                later(Math.max(1000, cfg.pollInterval().toMillis()), this::feed);
            } else {
                later(ar.result() >= FEED_BATCH ? 1 : cfg.pollInterval().toMillis(), this::feed);
            }
        });
    }

    private void send() {
        int room = MAX_IN_FLIGHT - inFlight;
        if (room <= 0) {
            later(cfg.pollInterval().toMillis(), this::send);
            return;
        }
        String owner = UUID.randomUUID().toString();
        // the lease outlasts a lookup and a post that both take their whole timeout
        Duration lease = cfg.timeout().multipliedBy(3);
        outbox.claim(owner, clock.instant(), lease, room).onComplete(ar -> {
            if (ar.failed()) {
                warnOnce("claiming deliveries", ar.cause());
                later(Math.max(1000, cfg.pollInterval().toMillis()), this::send);
                return;
            }
            failing = false;
            for (WebhookOutbox.Claimed c : ar.result()) {
                inFlight++;
                deliver(c, owner).onComplete(x -> inFlight--);
            }
            later(ar.result().size() >= room ? 1 : cfg.pollInterval().toMillis(), this::send);
        });
    }

    private void warnOnce(String what, Throwable e) {
        if (!failing) {
            failing = true;
            log.warn("webhooks: {} failed (retrying every second): {}", what, e.toString());
        }
    }

    private Future<Boolean> deliver(WebhookOutbox.Claimed c, String owner) {
        WebhookOutbox.Delivery d = c.delivery();
        if (c.event() == null) {
            return outbox.failed(d.id(), owner, null, "the event no longer exists", null);
        }
        String body = EventJson.of(c.event()).encode();
        URI uri;
        try {
            uri = new URI(d.url());
        } catch (Exception e) {
            return outbox.failed(d.id(), owner, null, "invalid URL", null);
        }
        String host = WebhookUrls.host(uri);
        boolean https = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : https ? 443 : 80;
        return vertx.executeBlocking(() -> InetAddress.getAllByName(host), false).compose(addresses -> {
            for (InetAddress a : addresses) {
                if (!urls.allowed(a)) {
                    return Future.failedFuture(new Refused(host + " resolves to " + a.getHostAddress()
                            + ", a loopback, private or link-local address"));
                }
            }
            Instant now = clock.instant();
            // to the address just checked, not to a second lookup that could answer something else
            RequestOptions ro = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(d.url()).setFollowRedirects(false)
                    .setServer(SocketAddress.inetSocketAddress(port, addresses[0].getHostAddress()))
                    .setConnectTimeout(cfg.timeout().toMillis()).setIdleTimeout(cfg.timeout().toMillis())
                    .putHeader("Content-Type", "application/json")
                    .putHeader("User-Agent", "Huibo-Webhooks")
                    .putHeader(WebhookSignature.HEADER, signature.header(now, body))
                    .putHeader("Huibo-Event-Id", Long.toString(d.eventId()))
                    .putHeader("Huibo-Delivery-Id", Long.toString(d.id()));
            return client.request(ro).compose(req -> {
                long timer = vertx.setTimer(cfg.timeout().toMillis(), t -> req.reset());
                return req.send(body).compose(resp -> {
                    // the answer's body is not wanted: discarded as it comes, never buffered
                    resp.handler(b -> { });
                    return resp.end().map(v -> resp.statusCode());
                }).onComplete(x -> vertx.cancelTimer(timer));
            });
        }).compose(status -> {
            if (status >= 200 && status < 300) {
                return outbox.delivered(d.id(), owner, status, clock.instant());
            }
            return retry(d, owner, status, "HTTP " + status);
        }, e -> retry(d, owner, null, e instanceof Refused ? e.getMessage()
                : e.getClass().getSimpleName() + ": " + e.getMessage()));
    }

    private Future<Boolean> retry(WebhookOutbox.Delivery d, String owner, Integer status, String error) {
        // d.attempts() already counts this try (claims count them)
        Instant next = d.attempts() >= cfg.maxAttempts() ? null : clock.instant().plus(backoff.after(d.attempts()));
        if (next == null) {
            log.warn("webhooks: delivery {} of event {} given up after {} tries: {}", d.id(), d.eventId(),
                    d.attempts(), error);
        }
        return outbox.failed(d.id(), owner, status, error, next);
    }

    private static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }
}
