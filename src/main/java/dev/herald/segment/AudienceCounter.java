package dev.herald.segment;

import java.sql.Connection;
import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.ops.Jdbc;
import io.agroal.api.AgroalDataSource;

/** Counts the customers a criteria matches, inside PostgreSQL. */
@ApplicationScoped
public class AudienceCounter {

    private final AgroalDataSource dataSource;

    AudienceCounter(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public long count(SqlCondition condition) {
        try (Connection connection = dataSource.getConnection()) {
            return Jdbc.queryOne(connection, Long.class, "SELECT count(*) FROM customer c WHERE " + condition.sql(),
                    condition.params().toArray());
        } catch (SQLException e) {
            throw new IllegalStateException("Audience count failed", e);
        }
    }
}
