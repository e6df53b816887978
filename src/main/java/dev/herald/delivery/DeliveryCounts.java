package dev.herald.delivery;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.ops.Jdbc;
import io.agroal.api.AgroalDataSource;

/**
 * The delivery_count table: per notice, channel and status, changed by the same transaction that
 * changes the delivery rows, so reading progress costs a handful of rows however large the notice.
 */
@ApplicationScoped
public class DeliveryCounts {

    /** Keys are applied in a fixed order, so two transactions never wait on each other's counter rows in a cycle. */
    public static final class Delta {
        private final Map<String, Long> changes = new TreeMap<>();

        public Delta add(Channel channel, DeliveryStatus status, long n) {
            if (n != 0) {
                changes.merge(channel.name() + ":" + status.name(), n, Long::sum);
            }
            return this;
        }

        public Delta move(Channel channel, DeliveryStatus from, DeliveryStatus to, long n) {
            return from == to ? this : add(channel, from, -n).add(channel, to, n);
        }
    }

    private static final String APPLY = """
            INSERT INTO delivery_count AS dc (notice_id, channel, status, count)
            SELECT ?, split_part(k, ':', 1)::delivery_channel, split_part(k, ':', 2)::delivery_status, n
              FROM unnest(?::text[], ?::bigint[]) AS d(k, n)
            ON CONFLICT (notice_id, channel, status) DO UPDATE SET count = dc.count + excluded.count
            """;

    private final AgroalDataSource dataSource;

    DeliveryCounts(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Applies the delta inside the caller's transaction. */
    public void apply(Connection connection, long noticeId, Delta delta) throws SQLException {
        if (delta.changes.isEmpty()) {
            return;
        }
        try (PreparedStatement statement = connection.prepareStatement(APPLY)) {
            statement.setLong(1, noticeId);
            statement.setArray(2, connection.createArrayOf("text", delta.changes.keySet().toArray()));
            statement.setArray(3, connection.createArrayOf("bigint", delta.changes.values().toArray()));
            statement.executeUpdate();
        }
    }

    /** Deliveries of a notice in one status, read inside the caller's connection. */
    public long count(Connection connection, long noticeId, Channel channel, DeliveryStatus status) throws SQLException {
        return Jdbc.queryOne(connection, Long.class, "SELECT coalesce(sum(count), 0)::bigint FROM delivery_count"
                + " WHERE notice_id = ? AND channel = ?::delivery_channel AND status = ?::delivery_status",
                noticeId, channel.name(), status.name());
    }

    public Progress progress(long noticeId, OffsetDateTime dispatchedAt, OffsetDateTime completedAt) {
        Map<Channel, Map<DeliveryStatus, Long>> byChannel = new EnumMap<>(Channel.class);
        Map<DeliveryStatus, Long> byStatus = new EnumMap<>(DeliveryStatus.class);
        long total = 0;
        long finished = 0;
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT channel::text, status::text, count FROM delivery_count WHERE notice_id = ? AND count <> 0")) {
            statement.setLong(1, noticeId);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    Channel channel = Channel.valueOf(rows.getString(1));
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
        return new Progress(total, finished, total - finished, byStatus, byChannel, rate, eta);
    }
}
