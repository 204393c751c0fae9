package io.huibo.bench;

import io.huibo.cli.CliErrors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The benchmarks' entry point, run from the test classpath by scripts/bench: the load generator and
 * the baseline FastAGI server are tools of the benchmark, not parts of huibo.jar. The suite starts the
 * server and the simulator from huibo.jar and its own tools from this classpath.
 */
@Command(name = "huibo-bench", mixinStandardHelpOptions = true,
        description = "Huibo's benchmarks (scripts/bench).",
        subcommands = {LoadgenCommand.class, AgiBaselineCommand.class})
public final class BenchMain implements Runnable {

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchMain()).setExecutionExceptionHandler(new CliErrors()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
