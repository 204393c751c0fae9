package io.huibo.cli;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code huibo routes export|import}: the routing tables as CSV over the HTTP API. Exit codes as
 * {@link Output}; an import refused as invalid names the line and column.
 */
@Command(name = "routes", mixinStandardHelpOptions = true,
        description = "Export or import routing tables (trunks, routes, rates, tables) as CSV.",
        subcommands = {RoutesCommand.Export.class, RoutesCommand.Import.class})
public final class RoutesCommand implements Runnable {

    /** What --kind accepts; the API has one CSV resource per kind. */
    enum Kind { trunks, routes, rates, tables }

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "export", mixinStandardHelpOptions = true, description = "Write a routing table as CSV.")
    static final class Export implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Option(names = "--kind", required = true, description = "trunks, routes, rates or tables")
        Kind kind;
        @Option(names = "--out", paramLabel = "FILE", description = "write here instead of standard output")
        Path out;

        @Override
        public Integer call() throws Exception {
            HttpResponse<String> r = api.client().send("GET", "/v1/routing/" + kind + ".csv", null, null);
            if (r.statusCode() != 200 || out == null) {
                return api.out().raw(r);
            } else {
                Files.writeString(out, r.body(), StandardCharsets.UTF_8);
            }
            return 0;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Replace a routing table with a CSV file, all or nothing.")
    static final class Import implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Option(names = "--kind", required = true, description = "trunks, routes, rates or tables")
        Kind kind;
        @Parameters(paramLabel = "FILE", description = "the CSV, header first (see huibo routes export)")
        Path file;

        @Override
        public Integer call() throws Exception {
            String csv = InputFiles.utf8(file);
            return api.out().object(api.client().send("PUT", "/v1/routing/" + kind + ".csv", csv, null, "text/csv"));
        }
    }
}
