package io.huibo.boot;

import io.huibo.agi.AgiAllowlist;
import io.huibo.agi.AgiScripts;
import io.huibo.agi.AllowlistReload;
import io.huibo.agi.FastAgiServer;
import io.huibo.agi.FastAgiVerticle;
import io.huibo.agi.ReportScript;
import io.huibo.agi.RouteHandouts;
import io.huibo.agi.RouteRelease;
import io.huibo.api.CallbackOpsApi;
import io.huibo.api.DashboardRoutes;
import io.huibo.api.DialinApi;
import io.huibo.api.HttpApi;
import io.huibo.api.HttpVerticle;
import io.huibo.api.KeysApi;
import io.huibo.auth.ApiKeys;
import io.huibo.api.NodesApi;
import io.huibo.api.QueueHistoryApi;
import io.huibo.api.RoutingApi;
import io.huibo.cluster.NodeLeases;
import io.huibo.cluster.NodeOwnership;
import io.huibo.config.HuiboConfig;
import io.huibo.config.NodeConfig;
import io.huibo.dispatch.DialGate;
import io.huibo.contacts.DoNotCallGate;
import io.huibo.api.DoNotCallApi;
import io.huibo.store.DoNotCallStore;
import io.huibo.dispatch.Dispatcher;
import io.huibo.dispatch.InFlightFirstLookup;
import io.huibo.dispatch.RetryPolicy;
import io.huibo.policy.CalleeZones;
import io.huibo.policy.CallingGate;
import io.huibo.policy.Profiles;
import io.huibo.service.QueuePosition;
import io.huibo.events.EventHub;
import io.huibo.events.EventsApi;
import io.huibo.guards.GuardLimits;
import io.huibo.guards.Guards;
import io.huibo.health.HealthCheck;
import io.huibo.health.ServiceHealth;
import io.huibo.health.ShutdownDrain;
import io.huibo.metrics.Instruments;
import io.huibo.metrics.Metrics;
import io.huibo.metrics.MetricsRoutes;
import io.huibo.metrics.MetricsVertx;
import io.huibo.metrics.Sampler;
import io.huibo.pbx.NodesVerticle;
import io.huibo.pbx.PbxCluster;
import io.huibo.pbx.ami.AmiNodeFactory;
import io.huibo.queue.CallbackQueue;
import io.huibo.queue.QueueAdmin;
import io.huibo.queue.QueueHistory;
import io.huibo.redis.RedisScripts;
import io.huibo.routing.RedisTrunkLimiter;
import io.huibo.routing.RoutingService;
import io.huibo.routing.TrunkAllowlist;
import io.huibo.routing.RoutingVerticle;
import io.huibo.service.CallbackOperations;
import io.huibo.service.CallbackService;
import io.huibo.service.DialinService;
import io.huibo.service.RedisPinAttempts;
import io.huibo.service.QueueResync;
import io.huibo.store.ApiKeyStore;
import io.huibo.store.CallbackQueries;
import io.huibo.store.CallbackStore;
import io.huibo.store.Database;
import io.huibo.store.DialinStore;
import io.huibo.store.EventLog;
import io.huibo.store.GroupCommits;
import io.huibo.store.RouteTryStore;
import io.huibo.store.RoutingStore;
import io.huibo.store.WebhookOutbox;
import io.huibo.webhooks.WebhookSender;
import io.huibo.webhooks.WebhookUrls;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Huibo instance: builds the collaborators from the configuration (MariaDB and Redis first, so a
 * start without them stops with one clear line), then deploys its services through {@link Services};
 * closing it undeploys them in reverse order and closes the connections.
 */
public final class Instance implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Instance.class);
    /** How often each instance checks whether Redis lost its data (and indexes MariaDB again). */
    private static final Duration RESYNC_CHECK = Duration.ofSeconds(5);
    /** How often the queue depth is read from Redis for the metrics (whatever the scrape rate). */
    private static final Duration METRICS_SAMPLE = Duration.ofSeconds(2);
    /** The dashboard's charts: the last hour of the queue's figures, a point every 5 s. */
    private static final Duration QUEUE_HISTORY_SAMPLE = Duration.ofSeconds(5);
    private static final Duration QUEUE_HISTORY_WINDOW = Duration.ofHours(1);
    /** Longest any service's start may take (the routing tables and the event log are read then). */
    private static final Duration START_LIMIT = Duration.ofSeconds(60);
    /** A server or a timer stops at once; this only keeps a stuck one from holding the shutdown. */
    private static final Duration STOP_LIMIT = Duration.ofSeconds(5);
    /** The dispatcher's stop waits up to dispatch.shutdownGrace for its calls; a little more here. */
    private static final Duration DISPATCHER_STOP_LIMIT = Duration.ofSeconds(60);

    private final Vertx vertx;
    private final Database db;
    private final RedisScripts redis;
    private final CallbackStore store;
    /** Stores of other capabilities: closed after Vert.x, before the callback store. */
    private final List<AutoCloseable> closeLater = new CopyOnWriteArrayList<>();
    private Services services;
    private NodeOwnership ownership;
    private Supplier<List<NodeConfig>> nodeSource;
    private ShutdownDrain drain;

    private Instance(Vertx vertx, Database db, RedisScripts redis, CallbackStore store) {
        this.vertx = vertx;
        this.db = db;
        this.redis = redis;
        this.store = store;
    }

    /**
     * Builds and starts an instance; on a failure, what was started is stopped again and the cause
     * is thrown.
     *
     * @param reloadNodes reads the node list again for {@code POST /v1/admin/reload} and SIGHUP
     *                    (blocking; runs on a worker thread)
     */
    public static Instance start(HuiboConfig cfg, Supplier<List<NodeConfig>> reloadNodes) {
        Database db = Database.open(cfg.db());
        RedisScripts redis;
        try {
            redis = RedisScripts.connect(cfg.redis().uri(), cfg.redis().cluster(), cfg.redis().keyPrefix(),
                    cfg.redis().tlsCaFile());
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        // one registry per instance; Vert.x's HTTP server meters go to it too
        Metrics metrics = Metrics.prometheus();
        GroupCommits.observe(metrics::groupCommit);
        Instruments.pool(db.dataSource(), metrics);
        Vertx vertx = MetricsVertx.create(metrics);
        Instance instance = new Instance(vertx, db, redis, new CallbackStore(db, cfg.contacts().dedup()));
        try {
            instance.services = new Services(vertx, instance.wire(cfg, reloadNodes, metrics));
            // each service's start is bounded by its own limit
            await(instance.services.deploy(), Duration.ofMinutes(10));
            return instance;
        } catch (RuntimeException e) {
            instance.close();
            throw e;
        }
    }

    /** Builds the collaborators; returns the services in start order (the reverse is the stop order). */
    private List<Services.Service> wire(HuiboConfig cfg, Supplier<List<NodeConfig>> reloadNodes, Metrics metrics) {
        Clock clock = Clock.systemUTC();
        nodeSource = reloadNodes;
        ApiKeys keys = new ApiKeys(closeLater(new ApiKeyStore(db)), cfg.http().apiToken(), clock);
        CallbackQueue queue = new CallbackQueue(redis);
        // checked when a request arrives and again before every attempt (DoNotCallGate)
        DoNotCallStore doNotCall = closeLater(new DoNotCallStore(db));
        // the config token is an admin only while no key exists; nothing is written at start
        await(keys.start(vertx), START_LIMIT);
        AmiNodeFactory amiNodes = new AmiNodeFactory(vertx, cfg.dispatch().actionTimeout(), metrics);
        PbxCluster cluster = new PbxCluster(cfg.nodes().stream().map(amiNodes::apply).toList());
        // nodes are started by their owner only (several instances share them)
        String instanceId = cfg.instanceId() + "-" + UUID.randomUUID().toString().substring(0, 8);
        String agiAddress = cfg.agi().advertiseHost() + ":" + cfg.agi().port();
        ownership = new NodeOwnership(new NodeLeases(redis), cluster, amiNodes, instanceId, agiAddress,
                cfg.cluster().nodeLeaseTtl(), System::nanoTime,
                // a reload on any instance makes every instance read its own node list again
                vertx, reloadNodes);
        RouteHandouts handouts = new RouteHandouts();
        // toll-fraud guards: at every door a request comes in by, and again before each attempt
        Guards guards = new Guards(cfg.guards(), new GuardLimits(redis), metrics);
        // retry profiles: the built-in one of dispatch.retry* fills in what a configured one leaves out
        Profiles profiles = new Profiles(RetryPolicy.builtIn(cfg.dispatch()), cfg.calling().profiles(),
                cfg.calling().defaultProfile());
        // loads libphonenumber's time-zone data here, at start, not on an event loop
        CallingGate calling = new CallingGate(profiles, new CalleeZones());
        Dispatcher dispatcher = new Dispatcher(queue, store, cluster,
                new RetryPolicy(profiles, () -> ThreadLocalRandom.current().nextDouble()),
                cfg.dispatch(), instanceId, agiAddress, clock, ownership,
                // leg B was handed a route: the call may have connected, whatever the node says
                handouts::legBRouted, metrics,
                // calling policy and guards, asked in this order before each attempt
                // the checks without I/O first, so a quiet-hours wait costs no lookup; the attempts
                // gate counts the attempts it lets through: it comes last
                DialGate.all(List.of(guards.destinationGate(), calling, new DoNotCallGate(doNotCall),
                        guards.attemptsGate())),
                guards.maxCallSeconds());

        // routes from the database, cached and reloaded on change; while it holds none, the
        // configured templates (comma-separated for failover) answer
        RoutingStore routingStore = new RoutingStore(db);
        RoutingService routing = new RoutingService(routingStore, cfg.routing(),
                // where trunk templates may send calls: checked on import and on every load
                TrunkAllowlist.from(cfg.trunkPolicy(), cfg.routing()),
                // trunk limits hold for all instances together: slots are counted in Redis
                new RedisTrunkLimiter(redis), clock);
        RouteTryStore tries = closeLater(new RouteTryStore(db));
        DialinStore dialinStore = closeLater(new DialinStore(db));
        WebhookOutbox outbox = closeLater(new WebhookOutbox(db));
        CallbackQueries queries = closeLater(new CallbackQueries(db, cfg.contacts().dedup()));
        CallbackService callbacks = new CallbackService(store, queue, clock, tries, outbox, doNotCall,
                new QueuePosition(queue, queries::attemptsStartedSince, calling, clock));
        // access numbers, fixed destinations, and wrong-PIN lockouts shared by the instances in Redis
        DialinService dialin = new DialinService(vertx, dialinStore, callbacks, clock, cfg.dialinGuards(),
                new RedisPinAttempts(redis, cfg.dialinGuards()), guards);
        Instruments.dialin(dialin, metrics);
        AgiScripts scripts = AgiScripts.forHuibo(routing, new InFlightFirstLookup(dispatcher, store), store::setDestination,
                Instruments.counted(tries::record, metrics), handouts,
                dialin, (int) Math.max(1, cfg.dispatch().originateTimeout().toSeconds()), cfg.callerId().presentation(), clock);
        ReportScript reports = scripts.get(ReportScript.NAME, ReportScript.class);
        // before the report below: it forgets which try of leg B answered
        dispatcher.onAttemptEnded(Instruments.attemptEnded(metrics, handouts));
        dispatcher.onAttemptEnded(new RouteRelease(reports, routing));
        FastAgiServer agi = new FastAgiServer(vertx, cfg.agi().host(), cfg.agi().port(),
                AgiAllowlist.of(cfg.agi().allow(), cfg.nodes()), cfg.agi().idleTimeout(),
                Instruments.timed(scripts, metrics));
        Instruments.agiServer(agi, metrics);
        ownership.onReload(new AllowlistReload(vertx, cfg.agi().allow(), agi));
        dispatcher.pauseWhile("the FastAGI server has more than " + FastAgiServer.BACKLOG_LIMIT
                + " sessions open (the dialplan waits on Huibo)", agi::backlogged);

        drain = new ShutdownDrain(new ServiceHealth(queue, store, cluster), cfg.http().drainDelay(), System::nanoTime);
        HealthCheck health = drain;
        CallbackOperations operations = new CallbackOperations(store, queries, queue, new QueueAdmin(redis, queue),
                callbacks, clock, doNotCall);
        // live events and webhooks: every instance tails callback_events (see io.huibo.events)
        EventLog eventLog = closeLater(new EventLog(db));
        EventHub events = new EventHub(eventLog, cfg.events(), clock);
        QueueHistory queueHistory = new QueueHistory(() -> operations.queue()
                .map(f -> QueueHistory.Sample.of(f.schedule(), f.dialRatePerSecond())),
                QUEUE_HISTORY_SAMPLE, QUEUE_HISTORY_WINDOW);
        WebhookUrls webhookUrls = cfg.webhooks().enabled() ? new WebhookUrls(cfg.webhooks().allowPrivate()) : null;
        HttpApi api = new HttpApi(vertx, callbacks, keys, health, List.of(new DialinApi(dialin),
                new KeysApi(keys, webhookUrls, profiles),
                new DoNotCallApi(doNotCall, clock),
                new RoutingApi(routingStore, routing),
                new NodesApi(vertx, cluster, ownership, reloadNodes),
                new CallbackOpsApi(operations, webhookUrls != null, guards, profiles),
                new EventsApi(events, cfg.events().maxQueued()), new QueueHistoryApi(queueHistory)),
                List.of(new MetricsRoutes(metrics), new io.huibo.api.OpenApiRoutes(), new DashboardRoutes()),
                webhookUrls, guards, profiles);

        // the dispatcher last: it is stopped first, while FastAGI, HTTP and the AMI nodes are still up
        // for the calls it hands over (see Dispatcher#stop)
        List<Services.Service> services = new ArrayList<>();
        services.add(service("queue resync", new QueueResync(store, queue, RESYNC_CHECK)));
        services.add(service("AMI nodes", new NodesVerticle(cluster)));
        services.add(service("routing tables", new RoutingVerticle(routing)));
        services.add(service("events", events));
        if (cfg.webhooks().enabled()) {
            services.add(service("webhook sender", new WebhookSender(outbox, cfg.webhooks(), cfg.events().gapWait(), clock)));
        }
        services.add(service("queue history", queueHistory));
        services.add(service("metrics sampler", new Sampler(metrics, redis, cluster::statuses, METRICS_SAMPLE)));
        services.add(service("FastAGI " + cfg.agi().host() + ":" + cfg.agi().port(), new FastAgiVerticle(agi)));
        services.add(service("HTTP " + cfg.http().host() + ":" + cfg.http().port(), new HttpVerticle(api,
                cfg.http().host(), cfg.http().port(), Runtime.getRuntime().availableProcessors(), cfg.http().tls())));
        // stopped after the dispatcher, before HTTP: HTTP outlives the 503 of /health/ready by http.drainDelay
        services.add(new Services.Service("readiness drain", drain.service(), START_LIMIT,
                cfg.http().drainDelay().plus(STOP_LIMIT)));
        services.add(new Services.Service("dispatcher", dispatcher, START_LIMIT, DISPATCHER_STOP_LIMIT));
        return services;
    }

    private static Services.Service service(String name, io.vertx.core.Deployable verticle) {
        return new Services.Service(name, verticle, START_LIMIT, STOP_LIMIT);
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closeLater.add(c);
        return c;
    }

    /**
     * Reads the node list again and applies it here (and, through Redis, on every instance); for SIGHUP.
     * A failure is logged; the nodes stay as they were.
     */
    public void reloadNodes() {
        NodeOwnership o = ownership;
        if (o == null) {
            return;
        }
        o.reload(vertx, nodeSource).onComplete(ar -> {
            if (ar.failed()) {
                log.warn("reload failed: {}", ar.cause().toString());
            }
        });
    }

    /**
     * Stops in the order that keeps calls alive: not ready at once (a load balancer drains this
     * instance), then the services in reverse start order (the dispatcher first, while FastAGI and the
     * AMI connections are still up; HTTP not before http.drainDelay passed), then Vert.x and the
     * connections.
     */
    @Override
    public void close() {
        ShutdownDrain d = drain;
        if (d != null) {
            d.begin();
            log.info("not ready from now on; HTTP stops in {} at the earliest", d.delay());
        }
        Services s = services;
        if (s != null) {
            try {
                s.undeploy().toCompletionStage().toCompletableFuture().get(DISPATCHER_STOP_LIMIT.toSeconds() + 30, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("stopping the services: {}", e.toString());
            }
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("stopping Vert.x: {}", e.toString());
        }
        for (AutoCloseable c : closeLater) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("stopping {}: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
        store.close();
        redis.close();
        db.close();
    }

    /** Waits for a step of the start; its failure is thrown as it is (a RuntimeException) or wrapped. */
    static <T> T await(Future<T> f, Duration limit) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException r ? r : new IllegalStateException(c.getMessage(), c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting");
        } catch (TimeoutException e) {
            throw new IllegalStateException("start timed out");
        }
    }
}
