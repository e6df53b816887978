package dev.herald.customer;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.postgresql.PGConnection;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.ops.Jdbc;
import io.agroal.api.AgroalDataSource;

/**
 * Upserts customers, and the devices they come with, many at a time: a batch is streamed into
 * session-local staging tables with COPY, the fastest way into PostgreSQL, then merged into the
 * customer and device tables by one INSERT … SELECT … ON CONFLICT each. Binding each column as an
 * array, as before, cost more CPU in the driver than the upsert itself.
 */
@ApplicationScoped
public class CustomerStore {

    /** Dropped with the session; emptied at every commit, so a pooled connection reuses it empty. */
    private static final String STAGING = """
            CREATE TEMP TABLE IF NOT EXISTS customer_import (
                id text COLLATE "C", email text, display_name text, locale text, country text, region text,
                tags text[], attributes jsonb) ON COMMIT DELETE ROWS""";

    /** Rows that did not change are not rewritten, so re-importing the same file costs reads only. */
    private static final String MERGE = """
            INSERT INTO customer AS c (id, email, display_name, locale, country, region, tags, attributes)
            SELECT id, email, display_name, locale, country, region, tags, attributes FROM customer_import
            ON CONFLICT (id) DO UPDATE
               SET email = excluded.email, display_name = excluded.display_name, locale = excluded.locale,
                   country = excluded.country, region = excluded.region, tags = excluded.tags,
                   attributes = excluded.attributes, updated_at = now()
             WHERE (c.email, c.display_name, c.locale, c.country, c.region, c.tags, c.attributes)
                   IS DISTINCT FROM
                   (excluded.email, excluded.display_name, excluded.locale, excluded.country, excluded.region,
                    excluded.tags, excluded.attributes)
            RETURNING (xmax = 0) AS inserted
            """;

    /** What one upsert batch did. */
    public record Written(int inserted, int updated, int unchanged) {
        Written plus(Written other) {
            return new Written(inserted + other.inserted, updated + other.updated, unchanged + other.unchanged);
        }
    }

    private final AgroalDataSource dataSource;
    private final ObjectMapper json;

    CustomerStore(AgroalDataSource dataSource, ObjectMapper json) {
        this.dataSource = dataSource;
        this.json = json;
    }

    /** Upserts the batch in its own transaction; ids must be distinct within it. */
    public Written upsert(List<CustomerInput> batch) {
        StringBuilder rows = new StringBuilder(batch.size() * 256);
        for (CustomerInput c : batch) {
            field(rows, c.id()).append('\t');
            field(rows, c.email()).append('\t');
            field(rows, c.displayName()).append('\t');
            field(rows, c.locale()).append('\t');
            field(rows, c.country()).append('\t');
            field(rows, c.region()).append('\t');
            field(rows, arrayLiteral(c.tags())).append('\t');
            field(rows, toJson(c.attributes() == null ? Map.of() : c.attributes())).append('\n');
        }
        StringBuilder devices = new StringBuilder();
        long seq = 0;
        for (CustomerInput c : batch) {
            for (DeviceInput d : c.devices() == null ? List.<DeviceInput>of() : c.devices()) {
                devices.append(seq++).append('\t');
                field(devices, c.id()).append('\t');
                field(devices, d.platform().name()).append('\t');
                field(devices, d.appId()).append('\t');
                field(devices, d.token()).append('\t').append(d.inSandbox() ? 't' : 'f').append('\n');
            }
        }
        try (Connection connection = dataSource.getConnection()) {
            return Jdbc.inTransaction(connection, c -> {
                try (Statement statement = c.createStatement()) {
                    statement.execute(STAGING);
                }
                copy(c, "COPY customer_import FROM STDIN", rows);
                int inserted = 0;
                int updated = 0;
                try (Statement statement = c.createStatement(); ResultSet merged = statement.executeQuery(MERGE)) {
                    while (merged.next()) {
                        if (merged.getBoolean(1)) {
                            inserted++;
                        } else {
                            updated++;
                        }
                    }
                }
                if (!devices.isEmpty()) {
                    try (Statement statement = c.createStatement()) {
                        statement.execute(DeviceStore.STAGING);
                    }
                    copy(c, "COPY device_import FROM STDIN", devices);
                    DeviceStore.mergeStaged(c);
                }
                return new Written(inserted, updated, batch.size() - inserted - updated);
            });
        } catch (SQLException e) {
            throw new IllegalStateException("Customer upsert failed", e);
        }
    }

    private static void copy(Connection c, String sql, CharSequence rows) throws SQLException {
        try {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql, new StringReader(rows.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One value in COPY's text format: \N for null, the format's own characters escaped. */
    private static StringBuilder field(StringBuilder row, String value) {
        if (value == null) {
            return row.append("\\N");
        }
        if (plain(value)) {
            return row.append(value);
        }
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '\\' -> row.append("\\\\");
                case '\t' -> row.append("\\t");
                case '\n' -> row.append("\\n");
                case '\r' -> row.append("\\r");
                default -> row.append(ch);
            }
        }
        return row;
    }

    private static boolean plain(String value) {
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if (ch == '\\' || ch < ' ') {
                return false;
            }
        }
        return true;
    }

    /** Tags as a PostgreSQL array literal ({"a","b"}), every element quoted. */
    static String arrayLiteral(List<String> values) {
        if (values == null || values.isEmpty()) {
            return "{}";
        }
        StringBuilder literal = new StringBuilder("{");
        for (String value : values) {
            if (literal.length() > 1) {
                literal.append(',');
            }
            literal.append('"').append(value.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return literal.append('}').toString();
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Value cannot be written as JSON", e);
        }
    }
}
