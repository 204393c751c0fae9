package io.huibo.routing;

import io.huibo.domain.Leg;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The CSV form of the routing tables, for import and export (RFC 4180: a header line, fields
 * separated by commas, quoted with {@code "} when they hold a comma, a quote or a line break). Every
 * row is checked before anything is imported; the first bad one is reported with its line (1 is
 * the header) and column. Export writes the canonical form, so importing an export changes nothing.
 */
public final class RoutingCsv {

    /** One line of a CSV file may not be longer than this; whole files are limited by the API. */
    static final int MAX_FIELD = 1000;

    public enum Kind {
        TRUNKS("trunks", List.of("id", "dial", "max_concurrent", "max_cps", "enabled")),
        ROUTES("routes", List.of("table", "leg", "prefix", "trunk", "weight", "tz", "days", "start", "end")),
        RATES("rates", List.of("trunk", "prefix", "cost_per_minute")),
        TABLES("tables", List.of("table", "strategies"));

        private final String wire;
        private final List<String> header;

        Kind(String wire, List<String> header) {
            this.wire = wire;
            this.header = header;
        }

        public String wire() {
            return wire;
        }

        public List<String> header() {
            return header;
        }

        /** Null when unknown. */
        public static Kind fromWire(String s) {
            for (Kind k : values()) {
                if (k.wire.equals(s)) {
                    return k;
                }
            }
            return null;
        }
    }

    /** A CSV that cannot be imported: where and why. Line 0 means the file as a whole. */
    public static final class CsvException extends IllegalArgumentException {
        private final int line;
        private final String column;

        public CsvException(int line, String column, String message) {
            super((line > 0 ? "line " + line + (column != null ? ", column " + column : "") + ": " : "") + message,
                    null);
            this.line = line;
            this.column = column;
        }

        public int line() {
            return line;
        }

        /** Null when the problem is not in one column. */
        public String column() {
            return column;
        }
    }

    /** Rows in file order with the line each starts on, so later checks can name it. */
    public record Rows<T>(List<T> rows, List<Integer> lines) {
        public Rows {
            rows = List.copyOf(rows);
            lines = List.copyOf(lines);
        }
    }

    private record Record(int line, List<String> fields) {
    }

    private RoutingCsv() {
    }

    // ---------------------------------------------------------------- parse

    public static Rows<Trunk> trunks(String text) {
        List<Trunk> out = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (Record r : records(text, Kind.TRUNKS)) {
            String id = id(r, 0, "id");
            if (!ids.add(id)) {
                throw new CsvException(r.line(), "id", "trunk '" + id + "' is listed twice");
            }
            DialTemplate dial;
            try {
                dial = DialTemplate.parse(r.fields().get(1));
            } catch (IllegalArgumentException e) {
                throw new CsvException(r.line(), "dial", e.getMessage());
            }
            int maxConcurrent = count(r, 2, "max_concurrent");
            int maxCps = count(r, 3, "max_cps");
            boolean enabled = bool(r, 4, "enabled");
            out.add(new Trunk(id, dial, maxConcurrent, maxCps, enabled));
            lines.add(r.line());
        }
        return new Rows<>(out, lines);
    }

    public static Rows<Route> routes(String text) {
        List<Route> out = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        for (Record r : records(text, Kind.ROUTES)) {
            List<String> f = r.fields();
            String table = id(r, 0, "table");
            Leg leg = switch (f.get(1).toLowerCase(Locale.ROOT)) {
                case "" -> null;
                case "a" -> Leg.A;
                case "b" -> Leg.B;
                default -> throw new CsvException(r.line(), "leg", "leg must be a, b or empty (both)");
            };
            String prefix = prefix(r, 2, "prefix");
            String trunk = id(r, 3, "trunk");
            int weight = f.get(4).isEmpty() ? 1 : count(r, 4, "weight");
            if (weight > Route.MAX_WEIGHT) {
                throw new CsvException(r.line(), "weight", "weight must be 0 to " + Route.MAX_WEIGHT);
            }
            TimeWindow window;
            try {
                window = TimeWindow.parse(f.get(5), f.get(6), f.get(7), f.get(8));
            } catch (TimeWindow.FieldException e) {
                throw new CsvException(r.line(), e.field(), e.getMessage());
            }
            out.add(new Route(table, leg, prefix, trunk, weight, window));
            lines.add(r.line());
        }
        return new Rows<>(out, lines);
    }

    public static Rows<Rate> rates(String text) {
        List<Rate> out = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        for (Record r : records(text, Kind.RATES)) {
            String trunk = id(r, 0, "trunk");
            String prefix = prefix(r, 1, "prefix");
            if (!keys.add(trunk + "/" + prefix)) {
                throw new CsvException(r.line(), "prefix", "trunk '" + trunk + "' has prefix '" + prefix
                        + "' twice");
            }
            String c = r.fields().get(2);
            BigDecimal cost;
            try {
                if (!c.matches("[0-9]{1,6}(\\.[0-9]{1,12})?")) {
                    throw new NumberFormatException();
                }
                cost = new BigDecimal(c);
                out.add(new Rate(trunk, prefix, cost));
            } catch (IllegalArgumentException e) {
                throw new CsvException(r.line(), "cost_per_minute",
                        "cost must be a decimal like 0.0125 (0 to 999999.999999, at most 6 decimals)");
            }
            lines.add(r.line());
        }
        return new Rows<>(out, lines);
    }

    public static Rows<RouteTable> tables(String text) {
        List<RouteTable> out = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Record r : records(text, Kind.TABLES)) {
            String name = id(r, 0, "table");
            if (!names.add(name)) {
                throw new CsvException(r.line(), "table", "table '" + name + "' is listed twice");
            }
            try {
                out.add(new RouteTable(name, RouteStrategies.parseChain(r.fields().get(1))));
            } catch (IllegalArgumentException e) {
                throw new CsvException(r.line(), "strategies", e.getMessage());
            }
            lines.add(r.line());
        }
        return new Rows<>(out, lines);
    }

    private static String id(Record r, int i, String column) {
        String v = r.fields().get(i);
        if (!Trunk.validId(v)) {
            throw new CsvException(r.line(), column, v.isEmpty() ? column + " is empty"
                    : column + " must be 1-64 of letters, digits, _ . -");
        }
        return v;
    }

    private static String prefix(Record r, int i, String column) {
        String v = Route.normalizePrefix(r.fields().get(i));
        if (!Route.PREFIX.matcher(v).matches()) {
            throw new CsvException(r.line(), column, "prefix must be up to 20 digits (a leading + is allowed)");
        }
        return v;
    }

    private static int count(Record r, int i, String column) {
        String v = r.fields().get(i);
        if (v.isEmpty()) {
            return 0;
        }
        if (!v.matches("[0-9]{1,9}")) {
            throw new CsvException(r.line(), column, column + " must be a whole number, 0 or more");
        }
        return Integer.parseInt(v);
    }

    private static boolean bool(Record r, int i, String column) {
        return switch (r.fields().get(i).toLowerCase(Locale.ROOT)) {
            case "", "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new CsvException(r.line(), column, column + " must be true or false");
        };
    }

    /** The data records after the header, each with exactly the header's number of fields, trimmed. */
    private static List<Record> records(String text, Kind kind) {
        List<Record> all = read(text == null ? "" : text);
        if (all.isEmpty()) {
            throw new CsvException(0, null, "the file is empty; the first line must be the header "
                    + String.join(",", kind.header()));
        }
        Record head = all.get(0);
        List<String> names = head.fields().stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
        if (!names.equals(kind.header())) {
            throw new CsvException(head.line(), null, "the header must be " + String.join(",", kind.header()));
        }
        List<Record> out = new ArrayList<>(all.size() - 1);
        for (Record r : all.subList(1, all.size())) {
            if (r.fields().size() != kind.header().size()) {
                throw new CsvException(r.line(), null, "expected " + kind.header().size() + " fields ("
                        + String.join(",", kind.header()) + "), found " + r.fields().size());
            }
            out.add(r);
        }
        return out;
    }

    /** RFC 4180 records; blank lines are skipped; a record's line is the line it starts on. */
    static List<Record> read(String text) {
        List<Record> out = new ArrayList<>();
        int n = text.length();
        int i = text.startsWith("\uFEFF") ? 1 : 0;
        int line = 1;
        while (i < n) {
            int start = line;
            List<String> fields = new ArrayList<>();
            StringBuilder f = new StringBuilder();
            boolean quotedField = false;
            boolean atFieldStart = true;
            boolean endOfRecord = false;
            while (i < n && !endOfRecord) {
                char c = text.charAt(i);
                if (atFieldStart && c == '"') {
                    quotedField = true;
                    atFieldStart = false;
                    i++;
                    // quoted: up to the closing quote; "" is a quote
                    while (true) {
                        if (i >= n) {
                            throw new CsvException(start, null, "a quoted field is not closed");
                        }
                        char q = text.charAt(i);
                        if (q == '"') {
                            if (i + 1 < n && text.charAt(i + 1) == '"') {
                                f.append('"');
                                i += 2;
                                continue;
                            }
                            i++;
                            break;
                        }
                        if (q == '\n') {
                            line++;
                        }
                        f.append(q);
                        i++;
                    }
                    continue;
                }
                if (c == ',') {
                    fields.add(field(f, quotedField, start));
                    f.setLength(0);
                    quotedField = false;
                    atFieldStart = true;
                    i++;
                } else if (c == '\r' || c == '\n') {
                    i += c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n' ? 2 : 1;
                    line++;
                    endOfRecord = true;
                } else {
                    if (quotedField) {
                        throw new CsvException(start, null, "text after a closing quote");
                    }
                    if (c < 0x20 && c != '\t') {
                        throw new CsvException(start, null, "control character in the file");
                    }
                    f.append(c);
                    atFieldStart = false;
                    i++;
                }
            }
            fields.add(field(f, quotedField, start));
            boolean blank = fields.size() == 1 && fields.get(0).isEmpty() && !quotedField;
            if (!blank) {
                out.add(new Record(start, List.copyOf(fields)));
            }
        }
        return out;
    }

    private static String field(StringBuilder f, boolean quoted, int line) {
        String s = quoted ? f.toString() : f.toString().strip();
        if (s.length() > MAX_FIELD) {
            throw new CsvException(line, null, "a field is longer than " + MAX_FIELD + " characters");
        }
        return s;
    }

    // ---------------------------------------------------------------- format

    public static String formatTrunks(List<Trunk> trunks) {
        StringBuilder sb = header(Kind.TRUNKS);
        for (Trunk t : trunks) {
            row(sb, t.id(), t.dial().template(), Integer.toString(t.maxConcurrent()),
                    Integer.toString(t.maxCallsPerSecond()), Boolean.toString(t.enabled()));
        }
        return sb.toString();
    }

    public static String formatRoutes(List<Route> routes) {
        StringBuilder sb = header(Kind.ROUTES);
        for (Route r : routes) {
            TimeWindow w = r.window();
            row(sb, r.table(), r.leg() == null ? "" : r.leg().wire(), r.prefix(), r.trunkId(),
                    Integer.toString(r.weight()), w == null ? "" : w.tzField(), w == null ? "" : w.daysField(),
                    w == null ? "" : w.startField(), w == null ? "" : w.endField());
        }
        return sb.toString();
    }

    public static String formatRates(List<Rate> rates) {
        StringBuilder sb = header(Kind.RATES);
        for (Rate r : rates) {
            row(sb, r.trunkId(), r.prefix(), r.costPerMinute().toPlainString());
        }
        return sb.toString();
    }

    public static String formatTables(List<RouteTable> tables) {
        StringBuilder sb = header(Kind.TABLES);
        for (RouteTable t : tables) {
            row(sb, t.name(), String.join(",", t.strategies()));
        }
        return sb.toString();
    }

    public static String format(Kind kind, RoutingData data) {
        return switch (kind) {
            case TRUNKS -> formatTrunks(data.trunks());
            case ROUTES -> formatRoutes(data.routes());
            case RATES -> formatRates(data.rates());
            case TABLES -> formatTables(data.tables());
        };
    }

    private static StringBuilder header(Kind kind) {
        StringBuilder sb = new StringBuilder();
        row(sb, kind.header().toArray(new String[0]));
        return sb;
    }

    private static void row(StringBuilder sb, String... fields) {
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            String f = fields[i];
            if (f.indexOf(',') >= 0 || f.indexOf('"') >= 0 || f.indexOf('\n') >= 0 || f.indexOf('\r') >= 0) {
                sb.append('"').append(f.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(f);
            }
        }
        sb.append('\n');
    }
}
