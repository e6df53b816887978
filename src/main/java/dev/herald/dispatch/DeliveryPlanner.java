package dev.herald.dispatch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.delivery.DeliveryChannel;
import dev.herald.delivery.DeliveryLedger;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import dev.herald.notice.NoticeLifecycle;
import dev.herald.ops.Jdbc;
import dev.herald.segment.CriteriaCompiler;
import dev.herald.segment.SqlCondition;

/**
 * Creates a notice's delivery rows inside PostgreSQL, one chunk of the audience (a key range of
 * customers) per transaction. Chunks are defined one after another (plan_chunk) and planned by any
 * number of threads and pods at once: each claims an unplanned chunk (FOR UPDATE SKIP LOCKED) and
 * commits its rows, their counts and the chunk's planned mark together, so planning resumes exactly
 * where it stopped after a crash and never plans a customer twice.
 */
@ApplicationScoped
public class DeliveryPlanner {

    /**
     * Chunk bounds are found by walking the primary key (index only). Selecting "the next N matching
     * customers" instead let PostgreSQL, which cannot estimate how many match, scan and sort the whole
     * customer table for every chunk.
     */
    private static final String CUSTOMERS_BOUND = "SELECT id FROM customer WHERE id > ? ORDER BY id OFFSET ? LIMIT 1";
    private static final String AFFECTED_BOUND = """
            SELECT customer_id FROM affected_account WHERE notice_id = ? AND customer_id > ?
             ORDER BY customer_id OFFSET ? LIMIT 1""";
    private static final String FROM_CUSTOMERS = "SELECT c.* FROM customer c WHERE c.id > ? %s AND (%s)";
    private static final String FROM_AFFECTED = """
            SELECT c.* FROM affected_account a JOIN customer c ON c.id = a.customer_id
             WHERE a.notice_id = ? AND a.customer_id > ? %s AND (%s)""";

    /**
     * The notice being planned, as the planner needs it: its audience, and the destinations of the
     * channels planned up front (with a fallback, only the first; the other comes as fallbacks).
     */
    record Audience(long noticeId, JsonNode audience, Map<DeliveryChannel, String> destinations) {
        boolean affected() {
            return audience.has("affectedAccounts");
        }
    }

    private record Chunk(long number, String after, String upTo) {
    }

    private final DispatchConfig config;
    private final DeliveryLedger ledger;
    private final NoticeLifecycle lifecycle;
    private final Fallbacks fallbacks;
    private final Counter planned;

    DeliveryPlanner(DispatchConfig config, DeliveryLedger ledger, NoticeLifecycle lifecycle, Fallbacks fallbacks,
            MeterRegistry registry) {
        this.planned = Counter.builder("herald.planned.deliveries").description("Delivery rows planned")
                .register(registry);
        this.config = config;
        this.ledger = ledger;
        this.lifecycle = lifecycle;
        this.fallbacks = fallbacks;
    }

    /** Plans chunk after chunk until none is left to claim. */
    void plan(Connection connection, Audience audience) throws SQLException {
        SqlCondition condition = CriteriaCompiler.forAudience(audience.audience());
        while (true) {
            Boolean planned = Jdbc.inTransaction(connection, c -> planNextChunk(c, audience, condition));
            if (Boolean.FALSE.equals(planned)) {
                return;
            }
            if (planned == null && !define(connection, audience)) {
                // Every chunk is defined and none is free: done, unless others still plan theirs. Checked
                // after their commits, so that the last planner to finish sees every chunk planned.
                if (Jdbc.queryOne(connection, Boolean.class,
                        "SELECT NOT bool_or(planned_at IS NULL) FROM plan_chunk WHERE notice_id = ?", audience.noticeId())) {
                    lifecycle.planned(connection, audience.noticeId());
                }
                return;
            }
        }
    }

    /**
     * The highest delivery id the dispatcher may hand out: below the first chunk not planned yet (a
     * chunk planned later commits ids below those of chunks planned before it), or the end of the last
     * block when every chunk is planned; 0 before any is.
     */
    long dispatchableUpTo(Connection c, long noticeId) throws SQLException {
        Long upTo = Jdbc.queryOne(c, Long.class, """
                SELECT CASE WHEN bool_or(planned_at IS NULL)
                            THEN (min(chunk_no) FILTER (WHERE planned_at IS NULL) << ?) - 1
                            ELSE ((max(chunk_no) + 1) << ?) - 1 END
                  FROM plan_chunk WHERE notice_id = ?""", DeliveryLedger.CHUNK_BITS, DeliveryLedger.CHUNK_BITS, noticeId);
        return upTo == null ? 0 : upTo;
    }

    /** Plans one claimed chunk; answers false when the notice was cancelled, null when no chunk was free to claim. */
    private Boolean planNextChunk(Connection c, Audience audience, SqlCondition condition) throws SQLException {
        long noticeId = audience.noticeId();
        // Shares the notice row with its lifecycle: a cancel waits for this chunk, then cancels its rows too.
        if ("CANCELLED".equals(Jdbc.queryOne(c, String.class, "SELECT status FROM notice WHERE id = ? FOR SHARE", noticeId))) {
            return false;
        }
        Chunk chunk = null;
        try (PreparedStatement statement = c.prepareStatement("""
                SELECT chunk_no, after_key, upto_key FROM plan_chunk WHERE notice_id = ? AND planned_at IS NULL
                 ORDER BY chunk_no LIMIT 1 FOR UPDATE SKIP LOCKED""")) {
            statement.setLong(1, noticeId);
            try (ResultSet row = statement.executeQuery()) {
                if (row.next()) {
                    chunk = new Chunk(row.getLong(1), row.getString(2), row.getString(3));
                }
            }
        }
        if (chunk == null) {
            return null;
        }
        boolean affected = audience.affected();
        String range = chunk.upTo() == null ? "" : affected ? "AND a.customer_id <= ?" : "AND c.id <= ?";
        String sql = String.format(affected ? FROM_AFFECTED : FROM_CUSTOMERS, range, condition.sql());
        List<Object> params = new ArrayList<>();
        if (affected) {
            params.add(noticeId);
        }
        params.add(chunk.after());
        if (chunk.upTo() != null) {
            params.add(chunk.upTo());
        }
        params.addAll(condition.params());
        long firstId = chunk.number() << DeliveryLedger.CHUNK_BITS;
        long lastId = ledger.plan(c, noticeId, firstId, sql, params, audience.destinations());
        planned.increment(lastId == 0 ? 0 : lastId - firstId + 1); // ids are firstId, firstId + 1, …, lastId
        fallbacks.afterPlanning(c, noticeId, firstId, lastId);
        Jdbc.update(c, "UPDATE plan_chunk SET planned_at = now() WHERE notice_id = ? AND chunk_no = ?", noticeId,
                chunk.number());
        return true;
    }

    /** Defines the chunk after the last one; answers false when the last one reaches the end of the audience. */
    private boolean define(Connection connection, Audience audience) throws SQLException {
        long noticeId = audience.noticeId();
        return Jdbc.inTransaction(connection, c -> {
            // One definer per notice at a time, so chunks follow each other without gaps or overlaps.
            Jdbc.queryOne(c, Integer.class, "SELECT 1 FROM pg_advisory_xact_lock(?)", Long.MIN_VALUE + noticeId);
            String after = "";
            try (PreparedStatement statement = c.prepareStatement(
                    "SELECT upto_key FROM plan_chunk WHERE notice_id = ? ORDER BY chunk_no DESC LIMIT 1")) {
                statement.setLong(1, noticeId);
                try (ResultSet row = statement.executeQuery()) {
                    if (row.next()) {
                        after = row.getString(1);
                        if (after == null) {
                            return false;
                        }
                    }
                }
            }
            String upTo = audience.affected()
                    ? Jdbc.queryOne(c, String.class, AFFECTED_BOUND, noticeId, after, config.planChunk() - 1)
                    : Jdbc.queryOne(c, String.class, CUSTOMERS_BOUND, after, config.planChunk() - 1);
            Jdbc.update(c, "INSERT INTO plan_chunk (notice_id, chunk_no, after_key, upto_key)"
                    + " VALUES (?, nextval('plan_chunk_seq'), ?, ?)", noticeId, after, upTo);
            return true;
        });
    }
}
