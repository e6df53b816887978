package dev.herald.dispatch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

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

    /**
     * Chunks are key ranges of the audience's source: the upper key is found by walking the primary key
     * (index only), then the chunk is selected by range. Selecting "the next N matching customers"
     * instead let PostgreSQL, which cannot estimate how many match, scan and sort the whole customer
     * table for every chunk.
     */
    private static final String CUSTOMERS_BOUND = "SELECT id FROM customer WHERE id > ? ORDER BY id OFFSET ? LIMIT 1";
    private static final String AFFECTED_BOUND = """
            SELECT customer_id FROM affected_account WHERE notice_id = ? AND customer_id > ?
             ORDER BY customer_id OFFSET ? LIMIT 1""";
    private static final String FROM_CUSTOMERS = "SELECT c.id, c.email FROM customer c WHERE c.id > ? %s AND (%s)";
    private static final String FROM_AFFECTED = """
            SELECT c.id, c.email FROM affected_account a JOIN customer c ON c.id = a.customer_id
             WHERE a.notice_id = ? AND a.customer_id > ? %s AND (%s)""";

    /**
     * Addresses on the suppression list (hard bounces, complaints) are planned SKIPPED with the reason.
     * No ON CONFLICT: the cursor commits with its chunk, so no customer is planned twice, and should
     * that ever fail the unique index refuses the chunk loudly instead of skipping rows silently.
     */
    private static final String PLAN_EMAIL = """
            WITH src AS (%s),
                 ins AS (
                   INSERT INTO delivery (notice_id, customer_id, channel, status, destination, last_error)
                   SELECT ?, s.id, 'EMAIL',
                          CASE WHEN s.email IS NULL OR x.reason IS NOT NULL THEN 'SKIPPED' ELSE 'PENDING' END::delivery_status,
                          s.email,
                          CASE WHEN s.email IS NULL THEN 'no email address'
                               WHEN x.reason IS NOT NULL
                               THEN 'address suppressed: ' || x.reason || ' on ' || to_char(x.created_at, 'YYYY-MM-DD') END
                     FROM src s LEFT JOIN suppressed_address x ON x.address = lower(s.email)
                   RETURNING status)
            SELECT count(*) FILTER (WHERE status = 'PENDING'), count(*) FILTER (WHERE status = 'SKIPPED') FROM ins
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
        String cursor = notice.planCursor() == null ? "" : notice.planCursor();
        while (cursor != null) {
            String from = cursor;
            cursor = Jdbc.inTransaction(connection, c -> planChunk(c, notice.id(), affected, condition, from));
        }
    }

    /** One key range after {@code cursor}; answers the new cursor, or null when the audience is exhausted. */
    private String planChunk(Connection c, long noticeId, boolean affected, SqlCondition condition, String cursor)
            throws SQLException {
        // Shares the notice row with pause and cancel: a cancel waits for this chunk, then cancels its rows too.
        if ("CANCELLED".equals(Jdbc.queryOne(c, String.class, "SELECT status FROM notice WHERE id = ? FOR SHARE", noticeId))) {
            return null;
        }
        String upper = affected
                ? Jdbc.queryOne(c, String.class, AFFECTED_BOUND, noticeId, cursor, config.planChunk() - 1)
                : Jdbc.queryOne(c, String.class, CUSTOMERS_BOUND, cursor, config.planChunk() - 1);
        String range = upper == null ? "" : affected ? "AND a.customer_id <= ?" : "AND c.id <= ?";
        String sql = String.format(PLAN_EMAIL, String.format(affected ? FROM_AFFECTED : FROM_CUSTOMERS, range,
                condition.sql()));
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            int i = 1;
            if (affected) {
                statement.setLong(i++, noticeId);
            }
            statement.setString(i++, cursor);
            if (upper != null) {
                statement.setString(i++, upper);
            }
            i = condition.bind(statement, i);
            statement.setLong(i, noticeId);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                counts.apply(c, noticeId, new DeliveryCounts.Delta()
                        .add(Channel.EMAIL, DeliveryStatus.PENDING, row.getLong(1))
                        .add(Channel.EMAIL, DeliveryStatus.SKIPPED, row.getLong(2)));
            }
        }
        Jdbc.update(c, "UPDATE notice SET plan_cursor = ?, planned_at = CASE WHEN ? THEN now() END WHERE id = ?",
                upper == null ? cursor : upper, upper == null, noticeId);
        return upper;
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
