package io.huibo.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalLong;

/**
 * A group-commit writer's mark (table commit_marks, V11): moved in every one of its transactions, so a
 * retry after a COMMIT whose answer was lost learns whether that transaction happened.
 */
interface CommitMarks {

    /**
     * In {@code c}'s transaction: moves {@code writer}'s mark from {@code from} to {@code to} (creates it
     * at {@code to} if the writer has none yet). Empty if it moved; else the value it is at, which is
     * the mark of the writer's transaction that committed last.
     */
    OptionalLong advance(Connection c, String writer, long from, long to) throws SQLException;

    /** The marks in MariaDB: one row per writer thread, changed in place, so the table does not grow with use. */
    CommitMarks TABLE = (c, writer, from, to) -> {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE commit_marks SET seq = ?, at = NOW(3) WHERE writer = ? AND seq = ?")) {
            ps.setLong(1, to);
            ps.setString(2, writer);
            ps.setLong(3, from);
            if (ps.executeUpdate() == 1) {
                return OptionalLong.empty();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT seq FROM commit_marks WHERE writer = ?")) {
            ps.setString(1, writer);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return OptionalLong.of(rs.getLong(1));
                }
            }
        }
        // the writer's first transaction: the rows of writers of processes long gone go now
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM commit_marks WHERE at < NOW(3) - INTERVAL 30 DAY")) {
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO commit_marks (writer, seq, at) VALUES (?, ?, NOW(3))")) {
            ps.setString(1, writer);
            ps.setLong(2, to);
            ps.executeUpdate();
        }
        return OptionalLong.empty();
    };
}
