package io.huibo;

import io.huibo.boot.Instance;
import io.huibo.boot.ReloadOnHangup;
import io.huibo.boot.StopOnShutdown;
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
import io.huibo.config.NodeListSource;
import io.huibo.queue.QueueUnavailableException;
import io.huibo.sim.SimCommand;
import io.huibo.store.StoreUnavailableException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
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
                NodesCommand.class, AdminCommand.class, io.huibo.cli.KeysCommand.class, io.huibo.cli.DncCommand.class})
public final class Main implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    public static void main(String[] args) {
        // picocli answers a bad flag or argument with exit code 2, as Huibo's CLI promises
        System.exit(new CommandLine(new Main()).setExecutionExceptionHandler(new CliErrors()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
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
            Instance running;
            try {
                running = Instance.start(cfg, new NodeListSource(file, System.getenv()));
            } catch (StoreUnavailableException | QueueUnavailableException e) {
                System.err.println("huibo: cannot start: " + e.getMessage());
                return 1;
            } catch (RuntimeException e) {
                log.error("start failed", e);
                System.err.println("huibo: cannot start: " + e.getMessage());
                return 1;
            }
            System.out.printf("huibo ready: instance=%s http=%s:%d agi=%s:%d nodes=%d%n", cfg.instanceId(),
                    cfg.http().host(), cfg.http().port(), cfg.agi().host(), cfg.agi().port(), cfg.nodes().size());
            System.out.flush();
            StopOnShutdown stop = new StopOnShutdown(running);
            Runtime.getRuntime().addShutdownHook(stop);
            if (!ReloadOnHangup.install(running)) {
                log.warn("no SIGHUP on this platform; use POST /v1/admin/reload");
            }
            stop.awaitStopped();
            return 0;
        }
    }
}
