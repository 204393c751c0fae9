package io.huibo.api;

import io.huibo.domain.PhoneNumber;
import io.huibo.store.DoNotCallStore;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The body of {@code POST /v1/dnc/import}: lines {@code number[,reason]}, an optional header line
 * {@code number[,reason]}, empty lines ignored. An import is all or nothing, so one bad line refuses
 * the whole body (400 naming the line) and nothing is stored.
 */
public final class DoNotCallCsv {
    public static final int MAX_ROWS = 100_000;

    /** A line: the number and its reason (null: none). */
    public record Row(PhoneNumber number, String reason) {
    }

    private DoNotCallCsv() {
    }

    public static List<Row> parse(String text) {
        CSVFormat format = CSVFormat.RFC4180.builder().setIgnoreSurroundingSpaces(true).setIgnoreEmptyLines(true).get();
        List<Row> out = new ArrayList<>();
        try (CSVParser parser = CSVParser.parse(new StringReader(text == null ? "" : text), format)) {
            for (CSVRecord r : parser) {
                long line = r.getRecordNumber();
                if (line == 1 && r.get(0).equalsIgnoreCase("number")) {
                    continue;
                }
                if (r.size() > 2) {
                    throw bad(line, "a line is number[,reason]; quote a reason that has a comma");
                }
                String number = r.get(0);
                if (!PhoneNumber.isValid(number)) {
                    throw bad(line, "the number must be digits with an optional leading +");
                }
                out.add(new Row(PhoneNumber.of(number), reason(r.size() == 2 ? r.get(1) : null, "line " + line)));
                if (out.size() > MAX_ROWS) {
                    throw new InvalidRequestException(null, "at most " + MAX_ROWS + " numbers per import");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (IllegalStateException | UncheckedIOException e) {
            // commons-csv reports a broken quote this way
            throw new InvalidRequestException(null, "the body is not valid CSV: " + e.getMessage());
        }
        return out;
    }

    /** A reason as stored: trimmed, null when empty; refused when too long or with control characters. */
    public static String reason(String raw, String field) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String r = raw.strip();
        if (r.length() > DoNotCallStore.REASON_MAX) {
            throw new InvalidRequestException(field, "the reason is over " + DoNotCallStore.REASON_MAX + " characters");
        }
        if (r.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidRequestException(field, "the reason has control characters");
        }
        return r;
    }

    private static InvalidRequestException bad(long line, String detail) {
        return new InvalidRequestException("line " + line, "line " + line + ": " + detail);
    }
}
