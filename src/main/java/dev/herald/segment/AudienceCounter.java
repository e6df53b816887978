package dev.herald.segment;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;

import io.agroal.api.AgroalDataSource;

/** Counts the customers a criteria matches, inside PostgreSQL. */
@ApplicationScoped
public class AudienceCounter {

    private final AgroalDataSource dataSource;

    AudienceCounter(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public long count(SqlCondition condition) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT count(*) FROM customer c WHERE " + condition.sql())) {
            condition.bind(statement, 1);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Audience count failed", e);
        }
    }
}
