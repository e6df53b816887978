package dev.herald.render;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * How a recipient is read from PostgreSQL: the customer {@code c} and, when the notice has an
 * affected-account list, its row {@code a} with the customer's variables. The workers and the
 * dispatch check read recipients the same way, so the check renders what the workers will.
 */
public final class RecipientRows {

    public static final String COLUMNS = "c.id, c.email, c.display_name, c.locale, c.country, c.region, c.tags,"
            + " c.attributes::text, a.variables::text";

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private RecipientRows() {
    }

    /** The recipient in the current row, whose first columns are {@link #COLUMNS}. */
    public static Recipient read(ResultSet rows, ObjectMapper json) throws SQLException {
        String[] tags = (String[]) rows.getArray(7).getArray();
        return new Recipient(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
                rows.getString(5), rows.getString(6), Arrays.asList(tags), map(rows.getString(8), json),
                map(rows.getString(9), json));
    }

    private static Map<String, Object> map(String text, ObjectMapper json) {
        try {
            return text == null ? Map.of() : json.readValue(text, MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored JSON is unreadable", e);
        }
    }
}
