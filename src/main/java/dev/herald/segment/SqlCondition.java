package dev.herald.segment;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/** A boolean SQL expression over the customer table (alias {@code c}) and the values for its placeholders. */
public record SqlCondition(String sql, List<Object> params) {

    public static final SqlCondition ALWAYS = new SqlCondition("TRUE", List.of());

    /** Binds the parameters starting at {@code first}; returns the next free index. */
    public int bind(PreparedStatement statement, int first) throws SQLException {
        int index = first;
        for (Object param : params) {
            statement.setObject(index++, param);
        }
        return index;
    }
}
