package dev.herald.delivery;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.delivery.DeliveryViews.CustomerDelivery;
import dev.herald.delivery.DeliveryViews.DeliveryEvent;
import dev.herald.delivery.DeliveryViews.DeliveryPage;
import dev.herald.delivery.DeliveryViews.DeliveryView;
import dev.herald.delivery.DeliveryViews.FailureReason;
import dev.herald.delivery.DeliveryViews.PerSecond;
import dev.herald.delivery.DeliveryViews.SendingSummary;
import dev.herald.ops.Jdbc;
import dev.herald.ops.PersonalDataFilter;
import io.agroal.api.AgroalDataSource;

/** Reads deliveries for support: by notice with keyset pagination, and by customer with their timeline. */
@ApplicationScoped
public class DeliveryLookup {

    /** The status shown is the ledger's state: never-attempted deliveries already handed to the broker are QUEUED. */
    private static final String COLUMNS = """
            d.id, d.notice_id, d.customer_id, d.channel::text, d.destination, %s::text, d.attempts,
            d.updated_at, d.next_attempt_at, d.last_error, d.fallback_of""".formatted(DeliveryLedger.state("d", "dc"));
    private static final String FROM = " FROM delivery d" + DeliveryLedger.CURSOR_JOIN;

    /** A customer's history is short (a row per notice and channel); this bounds a pathological one. */
    static final int CUSTOMER_LIMIT = 500;

    private record Named(String noticeName, DeliveryView view) {
    }

    private final AgroalDataSource dataSource;

    DeliveryLookup(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public DeliveryPage page(long noticeId, DeliveryStatus status, long after, int limit) {
        String sql = "SELECT " + COLUMNS + FROM + " WHERE d.notice_id = ? AND d.id > ?"
                + (status == null ? "" : " AND " + DeliveryLedger.state("d", "dc") + " = ?::delivery_status")
                + " ORDER BY d.id LIMIT ?";
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            int i = 1;
            statement.setLong(i++, noticeId);
            statement.setLong(i++, after);
            if (status != null) {
                statement.setString(i++, status.name());
            }
            statement.setInt(i, limit + 1);
            List<DeliveryView> items = new ArrayList<>(limit + 1);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    items.add(view(rows));
                }
            }
            boolean more = items.size() > limit;
            List<DeliveryView> page = more ? items.subList(0, limit) : items;
            return new DeliveryPage(List.copyOf(page), more ? page.get(page.size() - 1).id() : null);
        } catch (SQLException e) {
            throw new IllegalStateException("Delivery page read failed", e);
        }
    }

    /** Newest notice first; each delivery with its timeline events, oldest first. */
    public List<CustomerDelivery> ofCustomer(String customerId) {
        String sql = "SELECT " + COLUMNS + ", n.name" + FROM + " JOIN notice n ON n.id = d.notice_id"
                + " WHERE d.customer_id = ? ORDER BY d.notice_id DESC, d.channel, d.id LIMIT " + CUSTOMER_LIMIT;
        try (Connection connection = dataSource.getConnection()) {
            Map<Long, Named> deliveries = new LinkedHashMap<>();
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, customerId);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        DeliveryView view = view(rows);
                        deliveries.put(view.id(), new Named(rows.getString(12), view));
                    }
                }
            }
            Map<Long, List<DeliveryEvent>> events = events(connection, deliveries.keySet().toArray(Long[]::new));
            List<CustomerDelivery> result = new ArrayList<>(deliveries.size());
            deliveries.forEach((id, named) -> result.add(
                    new CustomerDelivery(named.noticeName(), named.view(), events.getOrDefault(id, List.of()))));
            return result;
        } catch (SQLException e) {
            throw new IllegalStateException("Customer delivery read failed", e);
        }
    }

    /**
     * Why a notice's deliveries failed or bounced, per channel, the commonest reasons first. A reply that
     * quotes the recipient's address is counted with the others like it, the address left out.
     */
    public List<FailureReason> failureReasons(long noticeId, int limit) {
        String sql = """
                SELECT channel::text, regexp_replace(coalesce(last_error, 'no reason recorded'), ?, ?, 'g'), count(*)
                  FROM delivery WHERE notice_id = ? AND status IN ('FAILED', 'BOUNCED')
                 GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT ?""";
        return Jdbc.query(dataSource, sql, row -> new FailureReason(DeliveryChannel.valueOf(row.getString(1)),
                row.getString(2), row.getLong(3)), PersonalDataFilter.EMAIL_ADDRESS, PersonalDataFilter.MASKED,
                noticeId, limit);
    }

    /** Deliveries of the notice finished in each second of the last {@code window}, oldest first. */
    public List<PerSecond> finishedPerSecond(long noticeId, Duration window) {
        String sql = """
                SELECT date_trunc('second', updated_at), count(*) FROM delivery
                 WHERE notice_id = ? AND status NOT IN ('PENDING', 'QUEUED', 'CANCELLED')
                   AND updated_at > now() - make_interval(secs => ?)
                 GROUP BY 1 ORDER BY 1""";
        return Jdbc.query(dataSource, sql, row -> new PerSecond(row.getObject(1, OffsetDateTime.class), row.getLong(2)),
                noticeId, window.toSeconds());
    }

    /**
     * How many customers the notice addressed, and by when 99 % of the messages it got accepted (SENT or
     * DELIVERED) had been: a delivery's time is its last change, so a delivery report received later
     * moves it later, never earlier.
     */
    public SendingSummary sendingSummary(long noticeId) {
        String sql = """
                SELECT count(DISTINCT customer_id),
                       percentile_disc(0.99) WITHIN GROUP (ORDER BY updated_at)
                           FILTER (WHERE status IN ('SENT', 'DELIVERED'))
                  FROM delivery WHERE notice_id = ?""";
        return Jdbc.query(dataSource, sql, row -> new SendingSummary(row.getLong(1),
                row.getObject(2, OffsetDateTime.class)), noticeId).get(0);
    }

    private static Map<Long, List<DeliveryEvent>> events(Connection connection, Long[] deliveryIds) throws SQLException {
        Map<Long, List<DeliveryEvent>> events = new LinkedHashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT delivery_id, at, kind, detail FROM delivery_event WHERE delivery_id = ANY(?) ORDER BY at, id")) {
            statement.setArray(1, connection.createArrayOf("bigint", deliveryIds));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    events.computeIfAbsent(rows.getLong(1), k -> new ArrayList<>()).add(new DeliveryEvent(
                            rows.getObject(2, OffsetDateTime.class), rows.getString(3), rows.getString(4)));
                }
            }
        }
        return events;
    }

    private static DeliveryView view(ResultSet rows) throws SQLException {
        return new DeliveryView(rows.getLong(1), rows.getLong(2), rows.getString(3), DeliveryChannel.valueOf(rows.getString(4)),
                rows.getString(5), DeliveryStatus.valueOf(rows.getString(6)), rows.getInt(7),
                rows.getObject(8, OffsetDateTime.class), rows.getObject(9, OffsetDateTime.class), rows.getString(10),
                rows.getObject(11, Long.class));
    }
}
