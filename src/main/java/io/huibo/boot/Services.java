package io.huibo.boot;

import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys the long-lived services of an instance one after the other, in the order given, and
 * undeploys them in the reverse order. So the start order and the shutdown order are read in one
 * list: what is deployed last (the dispatcher) is stopped first, while everything it needs is still up.
 */
public final class Services {
    private static final Logger log = LoggerFactory.getLogger(Services.class);

    /**
     * One service.
     *
     * @param name       for the log
     * @param verticle   its start and stop
     * @param startLimit how long its start may take before the deploy counts as failed
     * @param stopLimit  how long its stop may take before the next service is stopped anyway
     */
    public record Service(String name, Deployable verticle, Duration startLimit, Duration stopLimit) {
        public Service {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(verticle, "verticle");
            Objects.requireNonNull(startLimit, "startLimit");
            Objects.requireNonNull(stopLimit, "stopLimit");
        }
    }

    private record Deployed(Service service, String id) {
    }

    private final Vertx vertx;
    private final List<Service> services;
    /** Deployed services, the last deployed first. */
    private final Deque<Deployed> deployed = new ArrayDeque<>();

    public Services(Vertx vertx, List<Service> services) {
        this.vertx = Objects.requireNonNull(vertx, "vertx");
        this.services = List.copyOf(services);
    }

    /**
     * Deploys every service in order, each once the one before has started. When one fails, those
     * already deployed are undeployed (in reverse order) and the future fails with that service's cause.
     */
    public synchronized Future<Void> deploy() {
        if (!deployed.isEmpty()) {
            return Future.failedFuture(new IllegalStateException("already deployed"));
        }
        Promise<Void> done = Promise.promise();
        deployNext(services.iterator(), done);
        return done.future();
    }

    private void deployNext(Iterator<Service> next, Promise<Void> done) {
        if (!next.hasNext()) {
            done.complete();
            return;
        }
        Service s = next.next();
        log.info("starting {}", s.name());
        vertx.deployVerticle(s.verticle()).timeout(s.startLimit().toMillis(), TimeUnit.MILLISECONDS).onComplete(ar -> {
            if (ar.succeeded()) {
                synchronized (this) {
                    deployed.push(new Deployed(s, ar.result()));
                }
                log.info("started {}", s.name());
                deployNext(next, done);
            } else {
                // a start that timed out may still finish: Vert.x undeploys it when it closes
                Throwable cause = ar.cause() instanceof java.util.concurrent.TimeoutException
                        ? new IllegalStateException(s.name() + ": start timed out", ar.cause()) : ar.cause();
                log.warn("{} did not start: {}", s.name(), String.valueOf(cause.getMessage()));
                undeploy().onComplete(v -> done.fail(cause));
            }
        });
    }

    /**
     * Undeploys what is deployed, the last deployed first, each after the one before has stopped or
     * its stop limit passed. A failed stop is logged and does not keep the others running.
     */
    public Future<Void> undeploy() {
        Promise<Void> done = Promise.promise();
        undeployNext(done);
        return done.future();
    }

    private void undeployNext(Promise<Void> done) {
        Deployed d;
        synchronized (this) {
            d = deployed.poll();
        }
        if (d == null) {
            done.complete();
            return;
        }
        log.info("stopping {}", d.service().name());
        vertx.undeploy(d.id()).timeout(d.service().stopLimit().toMillis(), TimeUnit.MILLISECONDS).onComplete(ar -> {
            if (ar.succeeded()) {
                log.info("stopped {}", d.service().name());
            } else {
                log.warn("stopping {}: {}", d.service().name(), ar.cause().toString());
            }
            undeployNext(done);
        });
    }

    /** The names of the services deployed now, in deploy order. */
    public synchronized List<String> running() {
        List<String> names = new java.util.ArrayList<>();
        deployed.descendingIterator().forEachRemaining(d -> names.add(d.service().name()));
        return names;
    }
}
