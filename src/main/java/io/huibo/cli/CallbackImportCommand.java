package io.huibo.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code huibo callback import FILE}: many callbacks from a CSV file or a JSON array, sent to
 * {@code POST /v1/callbacks/bulk} in batches with a progress bar on standard error. Every row gets a
 * result; row numbers are the file's (first data row 0). Exit code 0 when every row was stored, 2 when
 * some were invalid, 1 when some could not be stored (send those again).
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Submit the callbacks of a CSV file (header: number,destination,...) or a JSON array.")
final class CallbackImportCommand implements Callable<Integer> {
    /** What the API takes in one request. */
    static final int MAX_BATCH = 10_000;

    @Mixin
    ApiOptions api;
    @Parameters(paramLabel = "FILE", description = "a .csv file or a .json array of callback requests")
    Path file;
    @Option(names = "--batch", description = "rows per request, 1-" + MAX_BATCH + " (default ${DEFAULT-VALUE})",
            defaultValue = "1000")
    int batch;
    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    /** The rows to send, in batches that each form a valid request body of their own. */
    interface Rows {
        int size();

        String body(int from, int to);

        String contentType();
    }

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || batch > MAX_BATCH) {
            throw new CliException(Output.INVALID, "--batch must be 1-" + MAX_BATCH);
        }
        Rows rows = read(file);
        Output out = api.out();
        ApiClient client = api.client();
        Progress progress = new Progress(rows.size(), quiet);
        JsonArray results = new JsonArray();
        int accepted = 0;
        int rejected = 0;
        int failed = 0;
        for (int from = 0; from < rows.size(); from += batch) {
            int to = Math.min(rows.size(), from + batch);
            HttpResponse<String> r = client.send("POST", "/v1/callbacks/bulk", rows.body(from, to), null, rows.contentType());
            if (r.statusCode() != 200) {
                progress.done();
                // a whole batch refused (a bad column, too large): nothing after it is sent
                System.err.printf("huibo: rows %d-%d refused; rows before %d were sent%n", from, to - 1, from);
                return out.refusal(r);
            }
            JsonObject answer = new JsonObject(r.body());
            accepted += answer.getInteger("accepted", 0);
            rejected += answer.getInteger("rejected", 0);
            failed += answer.getInteger("failed", 0);
            for (Object o : answer.getJsonArray("results")) {
                JsonObject row = ((JsonObject) o).copy();
                row.put("index", from + row.getInteger("index"));
                results.add(row);
            }
            progress.advance(to, rejected + failed);
        }
        progress.done();
        JsonObject summary = new JsonObject().put("accepted", accepted).put("rejected", rejected).put("failed", failed);
        if (out.json()) {
            out.stdout().println(summary.copy().put("results", results).encode());
        } else {
            out.stdout().printf("accepted %d, rejected %d, failed %d (of %d rows)%n", accepted, rejected, failed, rows.size());
            JsonArray problems = new JsonArray();
            for (Object o : results) {
                JsonObject row = (JsonObject) o;
                if (row.getJsonObject("problem") != null) {
                    problems.add(row);
                }
            }
            if (!problems.isEmpty()) {
                out.stdout().print(Table.render(problems, List.of(Table.Column.of("index"),
                        new Table.Column("status", row -> row.getJsonObject("problem").getValue("status")),
                        new Table.Column("field", row -> row.getJsonObject("problem").getValue("field")),
                        new Table.Column("detail", row -> row.getJsonObject("problem").getValue("detail")))));
            }
        }
        return failed > 0 ? Output.FAILED : rejected > 0 ? Output.INVALID : Output.OK;
    }

    static Rows read(Path file) {
        String text = InputFiles.utf8(file);
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        boolean json = name.endsWith(".json") || (!name.endsWith(".csv") && text.stripLeading().startsWith("["));
        return json ? json(file, text) : csv(file, text);
    }

    private static Rows json(Path file, String text) {
        JsonArray array;
        try {
            array = new JsonArray(text);
        } catch (DecodeException e) {
            throw new CliException(Output.INVALID, file + " is not a JSON array: " + e.getMessage());
        }
        return new Rows() {
            @Override
            public int size() {
                return array.size();
            }

            @Override
            public String body(int from, int to) {
                return new JsonArray(array.getList().subList(from, to)).encode();
            }

            @Override
            public String contentType() {
                return "application/json";
            }
        };
    }

    private static Rows csv(Path file, String text) {
        // the same reading as the server's, so a batch boundary never splits a quoted field
        CSVFormat format = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).setIgnoreEmptyLines(true).get();
        List<String> header;
        List<CSVRecord> records;
        try (CSVParser parser = CSVParser.builder().setReader(new StringReader(text)).setFormat(format).get()) {
            header = parser.getHeaderNames();
            records = new ArrayList<>(parser.getRecords());
        } catch (IOException | RuntimeException e) {
            throw new CliException(Output.INVALID, file + " is not CSV: " + e.getMessage());
        }
        if (header.isEmpty()) {
            throw new CliException(Output.INVALID, file + " is empty; the first line must be the header");
        }
        return new Rows() {
            @Override
            public int size() {
                return records.size();
            }

            @Override
            public String body(int from, int to) {
                StringWriter w = new StringWriter();
                try (CSVPrinter p = new CSVPrinter(w, CSVFormat.RFC4180)) {
                    p.printRecord(header);
                    for (CSVRecord r : records.subList(from, to)) {
                        p.printRecord(r.values());
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
                return w.toString();
            }

            @Override
            public String contentType() {
                return "text/csv";
            }
        };
    }

    /** A bar on standard error: redrawn in place on a terminal, a line per batch otherwise. */
    static final class Progress {
        private final int total;
        private final boolean quiet;
        private final boolean terminal = System.console() != null;

        Progress(int total, boolean quiet) {
            this.total = total;
            this.quiet = quiet;
        }

        void advance(int done, int problems) {
            if (quiet) {
                return;
            }
            System.err.print((terminal ? "\r" : "") + bar(done, total, problems) + (terminal ? "" : "\n"));
            System.err.flush();
        }

        void done() {
            if (!quiet && terminal) {
                System.err.println();
            }
        }

        static String bar(int done, int total, int problems) {
            int width = 30;
            int filled = total == 0 ? width : (int) ((long) done * width / total);
            return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "] " + done + "/" + total + " rows"
                    + (problems > 0 ? ", " + problems + " not stored" : "");
        }
    }
}
