package dev.herald.ops;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

/** Runs work as one transaction on a connection that is otherwise in auto-commit. */
public final class Jdbc {

    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    @FunctionalInterface
    public interface RowMapper<T> {
        T map(ResultSet row) throws SQLException;
    }

    private Jdbc() {
    }

    /** Every row a query answers, each mapped; on a connection of its own from the pool. */
    public static <T> List<T> query(DataSource dataSource, String sql, RowMapper<T> mapper, Object... params) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, params);
            List<T> mapped = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    mapped.add(mapper.map(rows));
                }
            }
            return mapped;
        } catch (SQLException e) {
            throw new IllegalStateException("Query failed: " + sql.lines().findFirst().orElse(sql).strip(), e);
        }
    }

    /** Runs one statement that returns no rows; returns how many rows it changed. */
    public static int update(Connection connection, String sql, Object... params) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, params);
            return statement.executeUpdate();
        }
    }

    /** The first column of the first row a query answers, such as a count or a flag; null when it answers none. */
    public static <T> T queryOne(Connection connection, Class<T> type, String sql, Object... params) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, params);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getObject(1, type) : null;
            }
        }
    }

    /** The first column of every row a query answers, such as ids. */
    public static List<Long> queryList(Connection connection, String sql, Object... params) throws SQLException {
        List<Long> values = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, params);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getLong(1));
                }
            }
        }
        return values;
    }

    private static void bind(PreparedStatement statement, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            statement.setObject(i + 1, params[i]);
        }
    }

    /**
     * Runs the work in one transaction. When it fails, the work's own exception is the one thrown:
     * a rollback that fails too (the connection is gone) is attached to it, never put in its place,
     * because callers decide what to do from what the work did.
     */
    public static <T> T inTransaction(Connection connection, Work<T> work) throws SQLException {
        connection.setAutoCommit(false);
        T result;
        try {
            result = work.run(connection);
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
                connection.setAutoCommit(true);
            } catch (SQLException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        connection.setAutoCommit(true);
        return result;
    }
}
