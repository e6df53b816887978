package dev.herald.delivery;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Writes the outcomes of one batch: one UPDATE for every row, one INSERT for the timeline events,
 * one counter change, all inside the caller's transaction (the one holding the rows' locks).
 */
@ApplicationScoped
public class DeliveryOutcomes {

    private static final String UPDATE = """
            UPDATE delivery d
               SET status = v.status, attempts = d.attempts + 1, updated_at = now(),
                   next_attempt_at = v.next_attempt_at, last_error = v.error
              FROM unnest(?::bigint[], ?::delivery_status[], ?::timestamptz[], ?::text[])
                   AS v(id, status, next_attempt_at, error)
             WHERE d.notice_id = ? AND d.id = v.id
            """;
    private static final String EVENTS = """
            INSERT INTO delivery_event (notice_id, delivery_id, kind, detail)
            SELECT ?, v.id, v.kind, v.detail FROM unnest(?::bigint[], ?::text[], ?::text[]) AS v(id, kind, detail)
            """;

    private final RetryPolicy retries;
    private final DeliveryCounts counts;

    DeliveryOutcomes(RetryPolicy retries, DeliveryCounts counts) {
        this.retries = retries;
        this.counts = counts;
    }

    /**
     * @param attempts attempts made before this one, by delivery id
     */
    public void write(Connection connection, long noticeId, Channel channel, List<Outcome> outcomes,
            Map<Long, Integer> attempts) throws SQLException {
        if (outcomes.isEmpty()) {
            return;
        }
        Instant now = Instant.now();
        List<Outcome.Resolved> resolved = new ArrayList<>(outcomes.size());
        DeliveryCounts.Delta delta = new DeliveryCounts.Delta();
        for (Outcome outcome : outcomes) {
            Outcome.Resolved r = retries.resolve(outcome, attempts.get(outcome.deliveryId()) + 1, now);
            resolved.add(r);
            delta.move(channel, DeliveryStatus.QUEUED, r.status(), 1);
        }
        try (PreparedStatement update = connection.prepareStatement(UPDATE)) {
            update.setArray(1, connection.createArrayOf("bigint", resolved.stream().map(Outcome.Resolved::deliveryId).toArray()));
            update.setArray(2, connection.createArrayOf("text", resolved.stream().map(r -> r.status().name()).toArray()));
            update.setArray(3, connection.createArrayOf("timestamptz", resolved.stream()
                    .map(r -> r.nextAttemptAt() == null ? null : Timestamp.from(r.nextAttemptAt())).toArray()));
            update.setArray(4, connection.createArrayOf("text", resolved.stream().map(Outcome.Resolved::error).toArray()));
            update.setLong(5, noticeId);
            update.executeUpdate();
        }
        List<Outcome.Resolved> events = resolved.stream().filter(r -> r.event() != null).toList();
        if (!events.isEmpty()) {
            try (PreparedStatement insert = connection.prepareStatement(EVENTS)) {
                insert.setLong(1, noticeId);
                insert.setArray(2, connection.createArrayOf("bigint", events.stream().map(Outcome.Resolved::deliveryId).toArray()));
                insert.setArray(3, connection.createArrayOf("text", events.stream().map(Outcome.Resolved::event).toArray()));
                insert.setArray(4, connection.createArrayOf("text", events.stream().map(Outcome.Resolved::error).toArray()));
                insert.executeUpdate();
            }
        }
        counts.apply(connection, noticeId, delta);
    }
}
