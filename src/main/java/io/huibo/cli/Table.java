package io.huibo.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** A plain text table for humans: one header line, columns padded to their widest value. */
final class Table {
    /** A column: its header and how to get its text from one row. */
    record Column(String header, Function<JsonObject, Object> value) {
        static Column of(String field) {
            return new Column(field, o -> o.getValue(field));
        }
    }

    private Table() {
    }

    static String render(JsonArray rows, List<Column> columns) {
        List<String[]> lines = new ArrayList<>();
        lines.add(columns.stream().map(Column::header).toArray(String[]::new));
        for (int i = 0; i < rows.size(); i++) {
            JsonObject row = rows.getJsonObject(i);
            lines.add(columns.stream().map(c -> text(c.value().apply(row))).toArray(String[]::new));
        }
        int[] width = new int[columns.size()];
        for (String[] l : lines) {
            for (int c = 0; c < l.length; c++) {
                width[c] = Math.max(width[c], l[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] l : lines) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < l.length; c++) {
                line.append(c == l.length - 1 ? l[c] : String.format("%-" + (width[c] + 2) + "s", l[c]));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        if (rows.isEmpty()) {
            sb.append("(none)\n");
        }
        return sb.toString();
    }

    /** One value as text: {@code -} for nothing, JSON for nested values, the value otherwise. */
    static String text(Object v) {
        if (v == null) {
            return "-";
        }
        if (v instanceof JsonObject o) {
            return o.isEmpty() ? "-" : o.encode();
        }
        if (v instanceof JsonArray a) {
            return a.isEmpty() ? "-" : a.encode();
        }
        return String.valueOf(v).replace('\n', ' ');
    }
}
