package dev.herald.delivery;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.ops.Jdbc;
import io.agroal.api.AgroalDataSource;

/**
 * Reads the delivery_count table: per notice, channel and status, kept exact by the
 * {@link DeliveryLedger} in the same transactions as the rows, so reading progress costs a handful
 * of rows however large the notice.
 */
@ApplicationScoped
public class DeliveryCounts {

    private final AgroalDataSource dataSource;

    DeliveryCounts(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Deliveries of a notice in one status on one channel, read on the caller's connection. */
    public long count(Connection connection, long noticeId, DeliveryChannel channel, DeliveryStatus status)
            throws SQLException {
        return Jdbc.queryOne(connection, Long.class, "SELECT coalesce(sum(count), 0)::bigint FROM delivery_count"
                + " WHERE notice_id = ? AND channel = ?::delivery_channel AND status = ?::delivery_status",
                noticeId, channel.name(), status.name());
    }

    /** Whether no delivery of the notice can change any more (none PENDING or QUEUED). */
    public boolean allFinal(Connection connection, long noticeId) throws SQLException {
        return Jdbc.queryOne(connection, Boolean.class, """
                SELECT NOT EXISTS (SELECT 1 FROM delivery_count
                                    WHERE notice_id = ? AND status IN ('PENDING', 'QUEUED') AND count > 0)""",
                noticeId);
    }

    /** When a message of the notice was first and last accepted by a provider, or nulls. */
    public record FirstAndLast(OffsetDateTime first, OffsetDateTime last) {
    }

    public FirstAndLast firstAndLast(long noticeId) {
        return Jdbc.query(dataSource, "SELECT min(first_at), max(last_at) FROM delivery_count WHERE notice_id = ? AND status = 'SENT'",
                row -> new FirstAndLast(row.getObject(1, OffsetDateTime.class), row.getObject(2, OffsetDateTime.class)),
                noticeId).get(0);
    }

    public Progress progress(long noticeId, OffsetDateTime dispatchedAt, OffsetDateTime completedAt) {
        Map<DeliveryChannel, Map<DeliveryStatus, Long>> byChannel = new EnumMap<>(DeliveryChannel.class);
        Map<DeliveryStatus, Long> byStatus = new EnumMap<>(DeliveryStatus.class);
        long total = 0;
        long finished = 0;
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT channel::text, status::text, count FROM delivery_count WHERE notice_id = ? AND count <> 0")) {
            statement.setLong(1, noticeId);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    DeliveryChannel channel = DeliveryChannel.valueOf(rows.getString(1));
                    DeliveryStatus status = DeliveryStatus.valueOf(rows.getString(2));
                    long count = rows.getLong(3);
                    byChannel.computeIfAbsent(channel, c -> new EnumMap<>(DeliveryStatus.class)).put(status, count);
                    byStatus.merge(status, count, Long::sum);
                    total += count;
                    if (status.isFinal()) {
                        finished += count;
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Progress read failed", e);
        }
        Double rate = null;
        Long eta = null;
        if (dispatchedAt != null && finished > 0) {
            OffsetDateTime end = completedAt != null ? completedAt : OffsetDateTime.now();
            double seconds = Math.max(0.001, Duration.between(dispatchedAt, end).toMillis() / 1000.0);
            rate = Math.round(finished / seconds * 10) / 10.0;
            eta = Math.round((total - finished) / (finished / seconds));
        }
        return new Progress(total, finished, total - finished, byStatus, byChannel, rate, eta, List.of(), List.of());
    }
}
