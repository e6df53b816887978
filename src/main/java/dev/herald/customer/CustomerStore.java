package dev.herald.customer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.agroal.api.AgroalDataSource;

/** Upserts customers many at a time with one statement per batch. */
@ApplicationScoped
public class CustomerStore {

    /** Rows that did not change are not rewritten, so re-importing the same file costs reads only. */
    private static final String UPSERT = """
            INSERT INTO customer AS c (id, email, display_name, locale, country, region, tags, attributes)
            SELECT v.id, v.email, v.display_name, v.locale, v.country, v.region, v.tags::text[], v.attributes
              FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::jsonb[])
                   AS v(id, email, display_name, locale, country, region, tags, attributes)
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
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(UPSERT)) {
            statement.setArray(1, textArray(connection, batch, CustomerInput::id));
            statement.setArray(2, textArray(connection, batch, CustomerInput::email));
            statement.setArray(3, textArray(connection, batch, CustomerInput::displayName));
            statement.setArray(4, textArray(connection, batch, CustomerInput::locale));
            statement.setArray(5, textArray(connection, batch, CustomerInput::country));
            statement.setArray(6, textArray(connection, batch, CustomerInput::region));
            statement.setArray(7, textArray(connection, batch, c -> arrayLiteral(c.tags())));
            statement.setArray(8, textArray(connection, batch,
                    c -> toJson(c.attributes() == null ? Map.of() : c.attributes())));
            int inserted = 0;
            int updated = 0;
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    if (rows.getBoolean(1)) {
                        inserted++;
                    } else {
                        updated++;
                    }
                }
            }
            return new Written(inserted, updated, batch.size() - inserted - updated);
        } catch (SQLException e) {
            throw new IllegalStateException("Customer upsert failed", e);
        }
    }

    private static java.sql.Array textArray(Connection connection, List<CustomerInput> batch,
            Function<CustomerInput, String> field) throws SQLException {
        return connection.createArrayOf("text", batch.stream().map(field).toArray());
    }

    /**
     * Tags travel as PostgreSQL array literals ({"a","b"}), cast per row in C; unnesting them from JSON
     * ran a subquery per row and was the costliest part of an import.
     */
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
