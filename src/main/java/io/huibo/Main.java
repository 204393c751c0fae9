package io.huibo;

import io.huibo.agi.AgiAllowlist;
import io.huibo.agi.AgiScripts;
import io.huibo.agi.CallbackLookup;
import io.huibo.agi.FastAgiServer;
import io.huibo.agi.ReportScript;
import io.huibo.agi.RouteHandouts;
import io.huibo.api.CallbackOpsApi;
import io.huibo.api.DialinApi;
import io.huibo.api.HttpApi;
import io.huibo.api.KeysApi;
import io.huibo.auth.ApiKeys;
import io.huibo.api.NodesApi;
import io.huibo.api.RoutingApi;
import io.huibo.cli.AdminCommand;
import io.huibo.cli.CallbackCommand;
import io.huibo.cli.CliErrors;
import io.huibo.cli.DemoCommand;
import io.huibo.cli.DialinCommand;
import io.huibo.cli.NodesCommand;
import io.huibo.cli.RoutesCommand;
import io.huibo.config.ConfigException;
import io.huibo.config.ConfigLoader;
import io.huibo.config.HuiboConfig;
import io.huibo.dispatch.Dispatcher;
import io.huibo.events.EventHub;
import io.huibo.events.EventsApi;
import io.huibo.store.EventLog;
import io.huibo.store.WebhookOutbox;
import io.huibo.webhooks.WebhookSender;
import io.huibo.webhooks.WebhookUrls;
import io.huibo.health.HealthCheck;
import io.huibo.health.ServiceHealth;
import io.huibo.cluster.NodeOwnership;
import io.huibo.dispatch.RetryPolicy;
import io.huibo.domain.Callback;
import io.huibo.domain.Leg;
import io.huibo.metrics.Instruments;
import io.huibo.metrics.Metrics;
import io.huibo.metrics.MetricsVertx;
import io.huibo.metrics.Sampler;
import io.huibo.pbx.ami.AmiNode;
import io.huibo.pbx.PbxCluster;
import io.huibo.queue.CallbackQueue;
import io.huibo.queue.QueueAdmin;
import io.huibo.cluster.NodeLeases;
import io.huibo.queue.QueueUnavailableException;
import io.huibo.redis.RedisScripts;
import io.huibo.routing.RedisTrunkLimiter;
import io.huibo.routing.Routes;
import io.huibo.routing.RoutingService;
import io.huibo.service.CallbackOperations;
import io.huibo.service.CallbackService;
import io.huibo.service.DialinService;
import io.huibo.service.QueueResync;
import io.huibo.sim.SimCommand;
import io.huibo.store.ApiKeyStore;
import io.huibo.store.CallbackStore;
import io.huibo.store.CallbackQueries;
import io.huibo.store.Database;
import io.huibo.store.GroupCommits;
import io.huibo.store.DialinStore;
import io.huibo.store.RouteTryStore;
import io.huibo.store.RoutingStore;
import io.huibo.store.StoreUnavailableException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The one entry point: {@code huibo serve} (the server), {@code huibo sim} (the PBX simulator) and
 * the operator commands.
 */
@Command(name = "huibo", mixinStandardHelpOptions = true, version = "huibo 0.1.0",
        description = "Callback server for Asterisk.",
        subcommands = {Main.Serve.class, SimCommand.class, CallbackCommand.class, DemoCommand.class, DialinCommand.class, RoutesCommand.class,
                io.huibo.cli.QueueCommand.class,
                NodesCommand.class, AdminCommand.class, io.huibo.cli.KeysCommand.class,
                io.huibo.bench.LoadgenCommand.class, io.huibo.bench.AgiBaselineCommand.class})
public final class Main implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Main.class);
    /** How often each instance checks whether Redis lost its data (and indexes MariaDB again). */
    private static final Duration RESYNC_CHECK = Duration.ofSeconds(5);
    /** How often the queue depth is read from Redis for the metrics (whatever the scrape rate). */
    private static final Duration METRICS_SAMPLE = Duration.ofSeconds(2);

    public static void main(String[] args) {
        // picocli answers a bad flag or argument with exit code 2, as Huibo's CLI promises
        System.exit(new CommandLine(new Main()).setExecutionExceptionHandler(new CliErrors()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /**
     * Wires one Huibo instance: MariaDB and Redis first (a start without them stops with one clear
     * line), then the AMI nodes, the schedule repair, the dispatcher, FastAGI and HTTP.
     */
    public static Running start(HuiboConfig cfg) {
        return start(cfg, cfg::nodes);
    }

    /**
     * @param reloadNodes reads the node list again for {@code POST /v1/admin/reload} and SIGHUP (blocking;
     *                    runs on a worker thread)
     */
    public static Running start(HuiboConfig cfg, java.util.function.Supplier<List<io.huibo.config.NodeConfig>> reloadNodes) {
        Clock clock = Clock.systemUTC();
        Database db = Database.open(cfg.db());
        RedisScripts redis;
        try {
            redis = RedisScripts.connect(cfg.redis().uri(), cfg.redis().keyPrefix());
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        // one registry per instance; Vert.x's HTTP server meters go to it too
        Metrics metrics = Metrics.prometheus();
        GroupCommits.observe(metrics::groupCommit);
        Instruments.pool(db.dataSource(), metrics);
        Vertx vertx = MetricsVertx.create(metrics);
        CallbackStore store = new CallbackStore(db);
        ApiKeyStore keyStore = new ApiKeyStore(db);
        ApiKeys keys = new ApiKeys(keyStore, cfg.http().apiToken(), clock);
        Running running = new Running(vertx, db, redis, store);
        running.closeLater(keyStore);
        try {
            CallbackQueue queue = new CallbackQueue(redis);
            // the config token is an admin only while no key exists; nothing is written at start
            await(keys.start(vertx));
            PbxCluster cluster = new PbxCluster(cfg.nodes().stream()
                    .map(n -> new AmiNode(vertx, n, cfg.dispatch().actionTimeout(), metrics)).toList());
            running.cluster = cluster;
            // nodes are started by their owner only (several instances share them)
            String instance = cfg.instanceId() + "-" + UUID.randomUUID().toString().substring(0, 8);
            String agiAddress = cfg.agi().advertiseHost() + ":" + cfg.agi().port();
            NodeOwnership ownership = new NodeOwnership(
                    new NodeLeases(redis), cluster,
                    n -> new AmiNode(vertx, n, cfg.dispatch().actionTimeout(), metrics), instance, agiAddress,
                    cfg.cluster().nodeLeaseTtl(), System::nanoTime,
                    // a reload on any instance makes every instance read its own node list again
                    vertx, reloadNodes);
            await(vertx.deployVerticle(new QueueResync(store, queue, RESYNC_CHECK)));
            RouteHandouts handouts = new RouteHandouts();
            Dispatcher dispatcher = new Dispatcher(queue, store, cluster, RetryPolicy.from(cfg.dispatch()),
                    cfg.dispatch(), instance, agiAddress, clock, ownership,
                    // leg B was handed a route: the call may have connected, whatever the node says
                    (cb, n) -> handouts.get(cb, n, Leg.B).isPresent(), metrics);
            running.dispatcher = await(vertx.deployVerticle(dispatcher));

            CallbackLookup lookup = id -> {
                Optional<Callback> live = dispatcher.inFlight(id);
                return live.isPresent() ? Future.succeededFuture(live) : store.find(id);
            };
            // routes from the database, cached and reloaded on change; while it holds none, the
            // configured templates (comma-separated for failover) answer
            RoutingStore routingStore = new RoutingStore(db);
            RoutingService routing = new RoutingService(routingStore, cfg.routing(),
                    // trunk limits hold for all instances together: slots are counted in Redis
                    new RedisTrunkLimiter(redis), clock);
            await(routing.start(vertx));
            Routes routes = routing;
            RouteTryStore tries = new RouteTryStore(db);
            running.closeLater(tries);
            DialinStore dialinStore = new DialinStore(db);
            running.closeLater(dialinStore);
            WebhookOutbox outbox = new WebhookOutbox(db);
            running.closeLater(outbox);
            CallbackService callbacks = new CallbackService(store, queue, clock, tries, outbox);
            DialinService dialin = new DialinService(vertx, dialinStore, callbacks, clock);
            AgiScripts scripts = AgiScripts.forHuibo(routes, lookup, store::setDestination,
                    Instruments.counted(tries::record, metrics), handouts,
                    dialin, (int) Math.max(1, cfg.dispatch().originateTimeout().toSeconds()), cfg.callerId().presentation(), clock);
            ReportScript reports = scripts.get(ReportScript.NAME, ReportScript.class);
            // before the report below: it forgets which try of leg B answered
            dispatcher.onAttemptEnded(Instruments.attemptEnded(metrics, handouts));
            dispatcher.onAttemptEnded(r -> {
                reports.attemptEnded(r.callbackId(), r.attempt(), r.answeredAt() != null, r.outcome().isSuccess());
                routes.release(r.callbackId(), r.attempt());
            });
            FastAgiServer agi = new FastAgiServer(vertx, cfg.agi().host(), cfg.agi().port(),
                    AgiAllowlist.of(cfg.agi().allow(), cfg.nodes()), cfg.agi().idleTimeout(),
                    Instruments.timed(scripts, metrics));
            await(agi.start());
            Instruments.agiServer(agi, metrics);
            await(vertx.deployVerticle(new Sampler(metrics, redis, cluster::statuses, METRICS_SAMPLE)));
            running.agi = agi;
            // a node added by a reload must reach its routes: the default allowlist holds the nodes' hosts
            ownership.onReload(nodes -> vertx.executeBlocking(() -> AgiAllowlist.of(cfg.agi().allow(), nodes), false)
                    .onSuccess(agi::allow)
                    .onFailure(e -> log.warn("FastAGI allowlist not rebuilt after the reload: {}", e.getMessage())));
            dispatcher.pauseWhile("the FastAGI server has more than " + FastAgiServer.BACKLOG_LIMIT
                    + " sessions open (the dialplan waits on Huibo)", agi::backlogged);

            HealthCheck health = new ServiceHealth(queue, store, cluster);
            CallbackQueries queries = new CallbackQueries(db);
            running.closeLater(queries);
            CallbackOperations operations = new CallbackOperations(store, queries, queue, new QueueAdmin(redis, queue),
                    callbacks, clock);
            // live events and webhooks: every instance tails callback_events (see io.huibo.events)
            EventLog eventLog = new EventLog(db);
            running.closeLater(eventLog);
            EventHub events = new EventHub(eventLog, cfg.events(), clock);
            await(vertx.deployVerticle(events));
            if (cfg.webhooks().enabled()) {
                await(vertx.deployVerticle(new WebhookSender(outbox, cfg.webhooks(), cfg.events().gapWait(), clock)));
            }
            WebhookUrls webhookUrls = cfg.webhooks().enabled() ? new WebhookUrls(cfg.webhooks().allowPrivate()) : null;
            HttpApi api = new HttpApi(vertx, callbacks, keys, health, List.of(new DialinApi(dialin),
                    new KeysApi(keys, webhookUrls),
                    new RoutingApi(routingStore, routing),
                    new NodesApi(vertx, cluster, ownership, reloadNodes),
                    new CallbackOpsApi(operations),
                    new EventsApi(events, cfg.events().maxQueued())),
                    List.of(router -> router.get("/metrics").handler(MetricsVertx.endpoint(metrics))),
                    webhookUrls);
            running.reloadNodes = () -> ownership.reload(vertx, reloadNodes).onComplete(ar -> {
                if (ar.failed()) {
                    log.warn("reload failed: {}", ar.cause().toString());
                }
            });
            await(api.listen(cfg.http().host(), cfg.http().port(), Runtime.getRuntime().availableProcessors()));
            System.out.printf("huibo ready: instance=%s http=%s:%d agi=%s:%d nodes=%d%n", cfg.instanceId(),
                    cfg.http().host(), cfg.http().port(), cfg.agi().host(), cfg.agi().port(), cfg.nodes().size());
            System.out.flush();
            return running;
        } catch (RuntimeException e) {
            running.close();
            throw e;
        }
    }

    /** {@code huibo serve}: runs until SIGTERM or SIGINT. */
    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the Huibo server.")
    static final class Serve implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE",
                description = "YAML configuration (default: $HUIBO_CONFIG; without either, defaults and HUIBO_* variables)")
        Path config;

        @Override
        public Integer call() throws InterruptedException {
            String fromEnv = System.getenv("HUIBO_CONFIG");
            Path file = config != null ? config : fromEnv != null && !fromEnv.isBlank() ? Path.of(fromEnv) : null;
            HuiboConfig cfg;
            try {
                cfg = ConfigLoader.load(file, System.getenv());
            } catch (ConfigException e) {
                System.err.println("huibo: bad configuration: " + e.getMessage());
                return 2;
            }
            Running running;
            try {
                running = start(cfg, () -> ConfigLoader.load(file, System.getenv()).nodes());
            } catch (StoreUnavailableException | QueueUnavailableException e) {
                System.err.println("huibo: cannot start: " + e.getMessage());
                return 1;
            } catch (RuntimeException e) {
                log.error("start failed", e);
                System.err.println("huibo: cannot start: " + e.getMessage());
                return 1;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                log.info("stopping");
                running.close();
                stopped.countDown();
            }, "huibo-shutdown"));
            try {
                // SIGHUP: read the configuration again and apply its node list
                sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
                    log.info("SIGHUP: reloading the node list");
                    running.reloadNodes.run();
                });
            } catch (IllegalArgumentException e) {
                log.warn("no SIGHUP on this platform; use POST /v1/admin/reload");
            }
            stopped.await();
            return 0;
        }
    }

    static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
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

    /** A started instance; closing it stops everything it started. */
    public static final class Running implements AutoCloseable {
        private final Vertx vertx;
        private final Database db;
        private final RedisScripts redis;
        private final CallbackStore store;
        private PbxCluster cluster;
        private String dispatcher;
        private FastAgiServer agi;
        private volatile Runnable reloadNodes = () -> { };
        private final List<AutoCloseable> closeLater = new java.util.concurrent.CopyOnWriteArrayList<>();

        /** Closed after Vert.x, before the store (stores of other capabilities). */
        void closeLater(AutoCloseable c) {
            closeLater.add(c);
        }

        Running(Vertx vertx, Database db, RedisScripts redis, CallbackStore store) {
            this.vertx = vertx;
            this.db = db;
            this.redis = redis;
            this.store = store;
        }

        /**
         * Stops in the order that keeps calls alive: the dispatcher first (it stops claiming, waits for its
         * attempts to get past routing, hands the rest over), while FastAGI and the AMI connections are
         * still up; then the servers; then the nodes; then Vert.x and the connections.
         */
        @Override
        public void close() {
            try {
                if (dispatcher != null) {
                    vertx.undeploy(dispatcher).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                log.warn("stopping the dispatcher: {}", e.toString());
            }
            try {
                if (agi != null) {
                    agi.stop().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                log.warn("stopping the servers: {}", e.toString());
            }
            try {
                if (cluster != null) {
                    cluster.stop().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                log.warn("stopping the AMI nodes: {}", e.toString());
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
    }
}
