package io.huibo.cli;

import io.huibo.domain.PhoneNumber;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code huibo dnc add|remove|list|import}: the do-not-call list (scope operate); exit codes as {@link Output}. */
@Command(name = "dnc", mixinStandardHelpOptions = true,
        description = "Add, remove, list or import numbers of the do-not-call list (needs scope operate).",
        subcommands = {DncCommand.Add.class, DncCommand.Remove.class, DncCommand.ListEntries.class, DncCommand.Import.class})
public final class DncCommand implements Runnable {
    static final List<Table.Column> COLUMNS = List.of(Table.Column.of("number"), Table.Column.of("reason"),
            Table.Column.of("addedAt"), Table.Column.of("addedBy"));
    /** Entries per request of {@code list}; it follows the pages to the end. */
    static final int PAGE = 1000;

    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** Refuses (exit 2) anything but digits with an optional leading +, before asking the server. */
    static String number(String n) {
        if (!PhoneNumber.isValid(n)) {
            throw new CliException(Output.INVALID, "not a number (digits with an optional leading +): " + n);
        }
        return n;
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Put a number on the list (or replace its reason): it is refused from now on, and queued callbacks for it end blocked.")
    static final class Add implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "NUMBER", description = "digits with an optional leading +")
        String number;
        @Option(names = "--reason", description = "why (up to 255 characters)")
        String reason;

        @Override
        public Integer call() throws Exception {
            JsonObject body = new JsonObject();
            if (reason != null) {
                body.put("reason", reason);
            }
            return api.out().object(api.client().send("PUT", "/v1/dnc/" + number(number), body.encode(), null));
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Take a number off the list.")
    static final class Remove implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "NUMBER", description = "digits with an optional leading +")
        String number;

        @Override
        public Integer call() throws Exception {
            return api.out().done(api.client().send("DELETE", "/v1/dnc/" + number(number), null, null),
                    new JsonObject().put("removed", number));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Show the whole list, by number.")
    static final class ListEntries implements Callable<Integer> {
        @Mixin
        ApiOptions api;

        @Override
        public Integer call() throws Exception {
            Output out = api.out();
            JsonArray all = new JsonArray();
            String after = null;
            do {
                String path = "/v1/dnc?limit=" + PAGE
                        + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
                HttpResponse<String> r = api.client().send("GET", path, null, null);
                if (r.statusCode() != 200) {
                    return out.refusal(r);
                }
                JsonObject page = new JsonObject(r.body());
                all.addAll(page.getJsonArray("entries"));
                after = page.getString("next");
            } while (after != null);
            if (out.json()) {
                out.stdout().println(new JsonObject().put("entries", all).encode());
            } else {
                out.stdout().print(Table.render(all, COLUMNS));
            }
            return Output.OK;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Add every line number[,reason] of a CSV file; all or nothing (a bad line refuses the file).")
    static final class Import implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "FILE", description = "CSV: number[,reason] per line, an optional header line")
        Path file;

        @Override
        public Integer call() throws Exception {
            String text = InputFiles.utf8(file);
            return api.out().object(api.client().send("POST", "/v1/dnc/import", text, null, "text/csv"));
        }
    }
}
