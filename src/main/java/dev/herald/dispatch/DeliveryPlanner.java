package dev.herald.dispatch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.delivery.Channel;
import dev.herald.delivery.DeliveryCounts;
import dev.herald.delivery.DeliveryStatus;
import dev.herald.ops.Jdbc;
import dev.herald.segment.CriteriaCompiler;
import dev.herald.segment.Segment;
import dev.herald.segment.SqlCondition;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Creates a notice's delivery rows inside PostgreSQL, one chunk of customers (by key range) per
 * transaction. The chunk's rows, their counts and the cursor commit together, so planning resumes
 * exactly where it stopped after a crash and never plans a customer twice.
 */
@ApplicationScoped
public class DeliveryPlanner {

    /** Audience source: the customers matching a condition, or the notice's affected-account list. */
    private static final String FROM_CUSTOMERS = "SELECT c.id, c.email FROM customer c WHERE c.id > ? AND (%s) ORDER BY c.id LIMIT ?";
    private static final String FROM_AFFECTED = """
            SELECT c.id, c.email FROM affected_account a JOIN customer c ON c.id = a.customer_id
             WHERE a.notice_id = ? AND a.customer_id > ? AND (%s) ORDER BY a.customer_id LIMIT ?""";

    /**
     * No ON CONFLICT: the cursor commits with its chunk, so no customer is planned twice, and should
     * that ever fail the unique index refuses the chunk loudly instead of skipping rows silently.
     */
    private static final String PLAN_EMAIL = """
            WITH src AS (%s),
                 ins AS (
                   INSERT INTO delivery (notice_id, customer_id, channel, status, destination, last_error)
                   SELECT ?, s.id, 'EMAIL',
                          CASE WHEN s.email IS NULL THEN 'SKIPPED' ELSE 'PENDING' END::delivery_status,
                          s.email, CASE WHEN s.email IS NULL THEN 'no email address' END
                     FROM src s
                   RETURNING status)
            SELECT (SELECT max(id) FROM src), (SELECT count(*) FROM src),
                   count(*) FILTER (WHERE status = 'PENDING'), count(*) FILTER (WHERE status = 'SKIPPED')
              FROM ins
            """;

    private final DispatchConfig config;
    private final DeliveryCounts counts;

    DeliveryPlanner(DispatchConfig config, DeliveryCounts counts) {
        this.config = config;
        this.counts = counts;
    }

    /** Plans chunk after chunk until the whole audience is planned. */
    void plan(Connection connection, ActiveNotice notice) throws SQLException {
        SqlCondition condition = conditionOf(notice);
        boolean affected = notice.audience().has("affectedAccounts");
        String sql = String.format(PLAN_EMAIL, String.format(affected ? FROM_AFFECTED : FROM_CUSTOMERS, condition.sql()));
        String cursor = notice.planCursor() == null ? "" : notice.planCursor();
        while (cursor != null) {
            String from = cursor;
            cursor = Jdbc.inTransaction(connection, c -> planChunk(c, notice.id(), affected, sql, condition, from));
        }
    }

    /** One chunk after {@code cursor}; answers the new cursor, or null when nothing is left. */
    private String planChunk(Connection c, long noticeId, boolean affected, String sql, SqlCondition condition,
            String cursor) throws SQLException {
        String lastCustomer;
        boolean more;
        try (Statement memory = c.createStatement()) {
            // The chunk is sorted by customer id; enough memory keeps that sort off the disk.
            memory.execute("SET LOCAL work_mem = '64MB'");
        }
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            int i = 1;
            if (affected) {
                statement.setLong(i++, noticeId);
            }
            statement.setString(i++, cursor);
            i = condition.bind(statement, i);
            statement.setInt(i++, config.planChunk());
            statement.setLong(i, noticeId);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                lastCustomer = row.getString(1);
                more = row.getLong(2) == config.planChunk();
                counts.apply(c, noticeId, new DeliveryCounts.Delta()
                        .add(Channel.EMAIL, DeliveryStatus.PENDING, row.getLong(3))
                        .add(Channel.EMAIL, DeliveryStatus.SKIPPED, row.getLong(4)));
            }
        }
        try (PreparedStatement update = c.prepareStatement(
                "UPDATE notice SET plan_cursor = coalesce(?, plan_cursor), planned_at = CASE WHEN ? THEN NULL ELSE now() END WHERE id = ?")) {
            update.setString(1, lastCustomer);
            update.setBoolean(2, more);
            update.setLong(3, noticeId);
            update.executeUpdate();
        }
        return more ? lastCustomer : null;
    }

    private static SqlCondition conditionOf(ActiveNotice notice) {
        if (notice.audience().has("criteria")) {
            return CriteriaCompiler.compile(notice.audience().get("criteria"), "audience.criteria");
        }
        if (notice.audience().has("segmentId")) {
            long segmentId = notice.audience().get("segmentId").asLong();
            Segment segment = QuarkusTransaction.requiringNew().call(() -> Segment.<Segment>findById(segmentId));
            return CriteriaCompiler.compile(segment.criteria, "segment.criteria");
        }
        return SqlCondition.ALWAYS;
    }
}
