package dev.herald.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;

import org.junit.jupiter.api.Test;

/** A transaction whose connection dies reports what the work threw, not the failed rollback. */
class JdbcTest {

    @Test
    void theWorksExceptionSurvivesAConnectionThatDiedUnderIt() throws Exception {
        Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/herald_test", "herald",
                "herald");
        IllegalStateException thrown = new IllegalStateException("the work failed after sending");

        assertThatThrownBy(() -> Jdbc.inTransaction(connection, c -> {
            c.close();
            throw thrown;
        })).isSameAs(thrown);
        assertThat(thrown.getSuppressed()).hasSize(1);
    }

    @Test
    void aTransactionCommitsAndLeavesTheConnectionInAutoCommit() throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/herald_test",
                "herald", "herald")) {
            Integer answer = Jdbc.inTransaction(connection, c -> Jdbc.queryOne(c, Integer.class, "SELECT 41 + 1"));
            assertThat(answer).isEqualTo(42);
            assertThat(connection.getAutoCommit()).isTrue();
        }
    }
}
