package io.huibo.api;

import io.huibo.service.CallbackOperations.BulkRow;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The body of {@code POST /v1/callbacks/bulk}: a JSON array of the objects {@code POST /v1/callbacks}
 * takes, or CSV whose header names the same fields ({@code metadata.KEY} columns for metadata). Each
 * row goes through {@link CallbackRequestParser}, so a row is valid exactly when it would be valid alone;
 * a bad row is a result of its own, only a body that is not an array or not CSV at all is refused whole.
 */
public final class BulkRequestParser {
    public static final int MAX_ROWS = 10_000;
    private static final Set<String> CSV_COLUMNS = Set.of("number", "destination", "at", "priority", "maxAttempts",
            "callerId", "flow", "confirm", "profile", "notAfter", "timeZone");
    private static final Set<String> INTEGER_COLUMNS = Set.of("priority", "maxAttempts");
    private static final Pattern INTEGER = Pattern.compile("-?\\d{1,18}");
    private static final String METADATA_PREFIX = "metadata.";

    private BulkRequestParser() {
    }

    public static List<BulkRow> json(Buffer body) {
        JsonArray rows;
        try {
            rows = new JsonArray(body == null ? Buffer.buffer() : body);
        } catch (DecodeException | ClassCastException e) {
            throw new InvalidRequestException(null, "the request body must be a JSON array of callback requests");
        }
        checkSize(rows.size());
        List<BulkRow> out = new ArrayList<>(rows.size());
        for (Object row : rows) {
            if (!(row instanceof JsonObject o)) {
                out.add(BulkRow.invalid(new InvalidRequestException(null, "the row is not a JSON object")));
                continue;
            }
            out.add(parse(o));
        }
        return out;
    }

    public static List<BulkRow> csv(Buffer body) {
        String text = body == null ? "" : body.toString(StandardCharsets.UTF_8);
        CSVFormat format = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true)
                .setIgnoreSurroundingSpaces(true).setIgnoreEmptyLines(true).get();
        List<BulkRow> out = new ArrayList<>();
        try (CSVParser parser = CSVParser.builder().setReader(new StringReader(text)).setFormat(format).get()) {
            List<String> header = parser.getHeaderNames();
            if (header.isEmpty()) {
                throw new InvalidRequestException(null, "the CSV has no header line");
            }
            for (String column : header) {
                if (!CSV_COLUMNS.contains(column) && !(column.startsWith(METADATA_PREFIX)
                        && column.length() > METADATA_PREFIX.length())) {
                    throw new InvalidRequestException(column, "unknown column '" + column + "'");
                }
            }
            for (CSVRecord r : parser) {
                checkSize(out.size() + 1);
                out.add(row(r, header));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            if (e instanceof InvalidRequestException ire) {
                throw ire;
            }
            // commons-csv: a duplicate or empty header name, an unterminated quote
            throw new InvalidRequestException(null, "the body is not valid CSV: " + e.getMessage());
        }
        return out;
    }

    private static BulkRow row(CSVRecord r, List<String> header) {
        if (!r.isConsistent()) {
            return BulkRow.invalid(new InvalidRequestException(null, "line " + r.getParser().getCurrentLineNumber()
                    + " has " + r.size() + " fields; the header has " + header.size()));
        }
        JsonObject o = new JsonObject();
        JsonObject metadata = new JsonObject();
        for (Map.Entry<String, String> e : r.toMap().entrySet()) {
            String column = e.getKey();
            String v = e.getValue();
            if (v == null || v.isEmpty()) {
                continue;
            }
            if (column.startsWith(METADATA_PREFIX)) {
                metadata.put(column.substring(METADATA_PREFIX.length()), v);
            } else if (INTEGER_COLUMNS.contains(column) && INTEGER.matcher(v).matches()) {
                o.put(column, Long.parseLong(v));
            } else if (column.equals("confirm") && (v.equals("true") || v.equals("false"))) {
                o.put(column, Boolean.parseBoolean(v));
            } else {
                // anything else goes in as text: the row parser then names the field it finds wrong
                o.put(column, v);
            }
        }
        if (!metadata.isEmpty()) {
            o.put("metadata", metadata);
        }
        return parse(o);
    }

    private static BulkRow parse(JsonObject row) {
        try {
            return BulkRow.valid(CallbackRequestParser.parse(row.toBuffer(), null));
        } catch (InvalidRequestException e) {
            return BulkRow.invalid(e);
        }
    }

    private static void checkSize(int rows) {
        if (rows > MAX_ROWS) {
            throw new InvalidRequestException(null, "at most " + MAX_ROWS + " rows per request");
        }
    }
}
