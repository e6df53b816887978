package dev.herald.dispatch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

import dev.herald.delivery.DeliveryCounts;
import dev.herald.delivery.DeliveryStatus;
import dev.herald.ops.Jdbc;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.vertx.core.json.JsonObject;

/**
 * Hands deliveries to the broker. Rows are claimed (PENDING to QUEUED) and committed before their
 * message is published, so the database always knows what is in flight; a message that is never
 * confirmed is put back to PENDING, and one lost after its confirm is found by {@link #republishStale}.
 */
@ApplicationScoped
public class Dispatcher {

    private static final Logger LOG = Logger.getLogger(Dispatcher.class);
    private static final dev.herald.delivery.Channel EMAIL = dev.herald.delivery.Channel.EMAIL;

    /** PENDING rows in an id range that are due, oldest first; locked rows belong to someone else. */
    private static final String CLAIM = """
            WITH claimed AS (
              UPDATE delivery d SET status = 'QUEUED', updated_at = now()
               WHERE d.notice_id = ? AND d.id IN (
                     SELECT id FROM delivery
                      WHERE notice_id = ? AND id > ? AND id <= ? AND status = 'PENDING'
                        AND (next_attempt_at IS NULL OR next_attempt_at <= now())
                      ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
              RETURNING d.id)
            SELECT id FROM claimed ORDER BY id
            """;

    private static final String STALE = """
            WITH stale AS (
              UPDATE delivery d SET updated_at = now()
               WHERE d.notice_id = ? AND d.id IN (
                     SELECT id FROM delivery
                      WHERE notice_id = ? AND status = 'QUEUED' AND updated_at < now() - make_interval(secs => ?)
                      ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
              RETURNING d.id)
            SELECT id FROM stale ORDER BY id
            """;

    private final MutinyEmitter<JsonObject> emailBatches;
    private final DeliveryCounts counts;
    private final DispatchConfig config;

    Dispatcher(@Channel("email-batches") MutinyEmitter<JsonObject> emailBatches, DeliveryCounts counts,
            DispatchConfig config) {
        this.emailBatches = emailBatches;
        this.counts = counts;
        this.config = config;
    }

    /** Claims and publishes up to {@code room} never-sent deliveries after the cursor; answers how many. */
    int publishNew(Connection connection, long noticeId, long room) throws SQLException {
        List<Long> ids = claim(connection, noticeId, dispatchCursor(connection, noticeId), Long.MAX_VALUE, room, true);
        return publish(connection, noticeId, ids);
    }

    /** Claims and publishes up to {@code room} deliveries behind the cursor whose retry is due. */
    int publishDueRetries(Connection connection, long noticeId, long room) throws SQLException {
        List<Long> ids = claim(connection, noticeId, 0, dispatchCursor(connection, noticeId), room, false);
        return publish(connection, noticeId, ids);
    }

    /** Publishes again deliveries that have sat QUEUED too long: their message or the pod handling it was lost. */
    int republishStale(Connection connection, long noticeId, long limit) throws SQLException {
        List<Long> ids = Jdbc.inTransaction(connection, c -> {
            try (PreparedStatement statement = c.prepareStatement(STALE)) {
                statement.setLong(1, noticeId);
                statement.setLong(2, noticeId);
                statement.setDouble(3, config.requeueAfter().toMillis() / 1000.0);
                statement.setLong(4, limit);
                return ids(statement);
            }
        });
        if (!ids.isEmpty()) {
            LOG.infof("Notice %d: publishing %d stale QUEUED deliveries again", noticeId, ids.size());
        }
        return publish(connection, noticeId, ids);
    }

    private List<Long> claim(Connection connection, long noticeId, long after, long upTo, long room,
            boolean advanceCursor) throws SQLException {
        if (room <= 0) {
            return List.of();
        }
        return Jdbc.inTransaction(connection, c -> {
            List<Long> ids;
            try (PreparedStatement statement = c.prepareStatement(CLAIM)) {
                statement.setLong(1, noticeId);
                statement.setLong(2, noticeId);
                statement.setLong(3, after);
                statement.setLong(4, upTo);
                statement.setLong(5, room);
                ids = ids(statement);
            }
            counts.apply(c, noticeId, new DeliveryCounts.Delta()
                    .move(EMAIL, DeliveryStatus.PENDING, DeliveryStatus.QUEUED, ids.size()));
            if (advanceCursor && !ids.isEmpty()) {
                try (PreparedStatement cursor = c.prepareStatement("UPDATE notice SET dispatch_cursor = ? WHERE id = ?")) {
                    cursor.setLong(1, ids.get(ids.size() - 1));
                    cursor.setLong(2, noticeId);
                    cursor.executeUpdate();
                }
            }
            return ids;
        });
    }

    /** Publishes in batches with publisher confirms; what the broker did not confirm goes back to PENDING. */
    private int publish(Connection connection, long noticeId, List<Long> ids) throws SQLException {
        int published = 0;
        try {
            for (int from = 0; from < ids.size(); from += config.batchSize()) {
                List<Long> batch = ids.subList(from, Math.min(ids.size(), from + config.batchSize()));
                emailBatches.sendAndAwait(JsonObject.mapFrom(new DeliveryBatch(noticeId, new ArrayList<>(batch))));
                published += batch.size();
            }
        } catch (RuntimeException e) {
            LOG.warnf(e, "Notice %d: the broker did not take %d deliveries; they go back to PENDING", noticeId,
                    ids.size() - published);
            unclaim(connection, noticeId, ids.subList(published, ids.size()));
        }
        return published;
    }

    private void unclaim(Connection connection, long noticeId, List<Long> ids) throws SQLException {
        Jdbc.inTransaction(connection, c -> {
            try (PreparedStatement statement = c.prepareStatement(
                    "UPDATE delivery SET status = 'PENDING' WHERE notice_id = ? AND id = ANY(?) AND status = 'QUEUED'")) {
                statement.setLong(1, noticeId);
                statement.setArray(2, c.createArrayOf("bigint", ids.toArray()));
                int moved = statement.executeUpdate();
                counts.apply(c, noticeId, new DeliveryCounts.Delta()
                        .move(EMAIL, DeliveryStatus.QUEUED, DeliveryStatus.PENDING, moved));
            }
            return null;
        });
    }

    private static long dispatchCursor(Connection connection, long noticeId) throws SQLException {
        return Jdbc.queryOne(connection, Long.class, "SELECT dispatch_cursor FROM notice WHERE id = ?", noticeId);
    }

    private static List<Long> ids(PreparedStatement statement) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                ids.add(rows.getLong(1));
            }
        }
        return ids;
    }
}
