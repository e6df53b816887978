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
 * Hands deliveries to the broker. A window of never-attempted deliveries is recorded (with the
 * cursor and the counters) before any message about it is published, without rewriting the rows;
 * a window whose messages were refused or lost is published again by {@link #republishStale}.
 * Deliveries due for a retry are claimed row by row (status QUEUED): they are few.
 */
@ApplicationScoped
public class Dispatcher {

    private static final Logger LOG = Logger.getLogger(Dispatcher.class);
    private static final dev.herald.delivery.Channel EMAIL = dev.herald.delivery.Channel.EMAIL;

    /** Deliveries that were never attempted, after the cursor, in id order. */
    private static final String NEXT_WINDOW = """
            SELECT id FROM delivery
             WHERE notice_id = ? AND id > ? AND status = 'PENDING' AND next_attempt_at IS NULL
             ORDER BY id LIMIT ?
            """;

    /** Deliveries whose retry is due, claimed; rows another transaction holds are left to it. */
    private static final String CLAIM_RETRIES = """
            WITH claimed AS (
              UPDATE delivery d SET status = 'QUEUED', updated_at = now()
               WHERE d.notice_id = ? AND d.id IN (
                     SELECT id FROM delivery
                      WHERE notice_id = ? AND status = 'PENDING' AND next_attempt_at <= now()
                      ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
              RETURNING d.id)
            SELECT id FROM claimed ORDER BY id
            """;

    /** Windows published longer ago than the requeue delay, oldest first. */
    private static final String STALE_WINDOWS = """
            SELECT first_id, last_id FROM dispatch_window
             WHERE notice_id = ? AND published_at < now() - make_interval(secs => ?)
             ORDER BY last_id LIMIT 10
            """;

    /** What of a window was never attempted (retries are the business of STALE_RETRIES). */
    private static final String UNFINISHED = """
            SELECT id FROM delivery
             WHERE notice_id = ? AND id BETWEEN ? AND ?
               AND status = 'PENDING' AND next_attempt_at IS NULL
             ORDER BY id
            """;

    /** Retry claims untouched for longer than the requeue delay. */
    private static final String STALE_RETRIES = """
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

    /** Records and publishes the next window of up to {@code room} never-attempted deliveries; answers how many. */
    int publishNew(Connection connection, long noticeId, long room) throws SQLException {
        if (room <= 0) {
            return 0;
        }
        List<Long> ids = Jdbc.inTransaction(connection, c -> {
            Long cursor = Jdbc.queryOne(c, Long.class,
                    "SELECT dispatch_cursor FROM notice WHERE id = ? AND status = 'DISPATCHING' FOR NO KEY UPDATE", noticeId);
            List<Long> window;
            if (cursor == null) {
                // Paused or cancelled since this tick loaded it.
                return List.<Long>of();
            }
            try (PreparedStatement statement = c.prepareStatement(NEXT_WINDOW)) {
                statement.setLong(1, noticeId);
                statement.setLong(2, cursor);
                statement.setLong(3, room);
                window = ids(statement);
            }
            if (window.isEmpty()) {
                return window;
            }
            long first = window.get(0);
            long last = window.get(window.size() - 1);
            Jdbc.update(c, "INSERT INTO dispatch_window (notice_id, first_id, last_id, published_at) VALUES (?, ?, ?, now())",
                    noticeId, first, last);
            Jdbc.update(c, "UPDATE notice SET dispatch_cursor = ? WHERE id = ?", last, noticeId);
            counts.apply(c, noticeId, new DeliveryCounts.Delta()
                    .move(EMAIL, DeliveryStatus.PENDING, DeliveryStatus.QUEUED, window.size()));
            return window;
        });
        if (!ids.isEmpty() && !publishStriped(noticeId, ids)) {
            // Refused by the broker: the sweeper publishes this window again at its next pass.
            Jdbc.update(connection, "UPDATE dispatch_window SET published_at = '-infinity' WHERE notice_id = ? AND last_id = ?",
                    noticeId, ids.get(ids.size() - 1));
        }
        return ids.size();
    }

    /** Claims and publishes up to {@code room} deliveries whose retry is due. */
    int publishDueRetries(Connection connection, long noticeId, long room) throws SQLException {
        if (room <= 0) {
            return 0;
        }
        List<Long> ids = Jdbc.inTransaction(connection, c -> {
            List<Long> claimed;
            try (PreparedStatement statement = c.prepareStatement(CLAIM_RETRIES)) {
                statement.setLong(1, noticeId);
                statement.setLong(2, noticeId);
                statement.setLong(3, room);
                claimed = ids(statement);
            }
            counts.apply(c, noticeId, new DeliveryCounts.Delta()
                    .move(EMAIL, DeliveryStatus.PENDING, DeliveryStatus.QUEUED, claimed.size()));
            return claimed;
        });
        if (!ids.isEmpty() && !publishStriped(noticeId, ids)) {
            Jdbc.inTransaction(connection, c -> {
                release(c, noticeId, ids);
                return null;
            });
        }
        return ids.size();
    }

    /**
     * Hands back deliveries that were published but not attempted (the notice was paused, or the
     * pod stopping), inside the caller's transaction: their window is due for re-publishing at the
     * sweeper's next pass, and retry claims return to PENDING for the next retry scan.
     */
    public void release(Connection connection, long noticeId, List<Long> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        long first = ids.stream().mapToLong(Long::longValue).min().getAsLong();
        long last = ids.stream().mapToLong(Long::longValue).max().getAsLong();
        Jdbc.update(connection, "UPDATE dispatch_window SET published_at = '-infinity'"
                + " WHERE notice_id = ? AND last_id >= ? AND first_id <= ?", noticeId, first, last);
        try (PreparedStatement statement = connection.prepareStatement(
                "UPDATE delivery SET status = 'PENDING' WHERE notice_id = ? AND id = ANY(?) AND status = 'QUEUED'")) {
            statement.setLong(1, noticeId);
            statement.setArray(2, connection.createArrayOf("bigint", ids.toArray()));
            unclaimed(connection, noticeId, statement.executeUpdate());
        }
    }

    /** {@link #release} for everything a notice has handed to the broker: on resume. */
    void releaseAll(Connection connection, long noticeId) throws SQLException {
        Jdbc.update(connection, "UPDATE dispatch_window SET published_at = '-infinity' WHERE notice_id = ?", noticeId);
        unclaimed(connection, noticeId, Jdbc.update(connection,
                "UPDATE delivery SET status = 'PENDING' WHERE notice_id = ? AND status = 'QUEUED'", noticeId));
    }

    private void unclaimed(Connection connection, long noticeId, int moved) throws SQLException {
        counts.apply(connection, noticeId, new DeliveryCounts.Delta()
                .move(EMAIL, DeliveryStatus.QUEUED, DeliveryStatus.PENDING, moved));
    }

    /**
     * Publishes again what has waited too long since it was handed to the broker: its message was
     * lost, refused, or the pod handling it died. Rows a worker holds or has finished are skipped by
     * the worker, so a re-publish never sends twice.
     */
    void republishStale(Connection connection, long noticeId) throws SQLException {
        double requeueSeconds = config.requeueAfter().toMillis() / 1000.0;
        List<long[]> windows = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(STALE_WINDOWS)) {
            statement.setLong(1, noticeId);
            statement.setDouble(2, requeueSeconds);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    windows.add(new long[] { rows.getLong(1), rows.getLong(2) });
                }
            }
        }
        for (long[] window : windows) {
            List<Long> waiting;
            try (PreparedStatement statement = connection.prepareStatement(UNFINISHED)) {
                statement.setLong(1, noticeId);
                statement.setLong(2, window[0]);
                statement.setLong(3, window[1]);
                waiting = ids(statement);
            }
            if (waiting.isEmpty()) {
                Jdbc.update(connection, "DELETE FROM dispatch_window WHERE notice_id = ? AND last_id = ?", noticeId, window[1]);
                continue;
            }
            LOG.infof("Notice %d: publishing %d deliveries of a stale window again", noticeId, waiting.size());
            if (publishStriped(noticeId, waiting)) {
                Jdbc.update(connection, "UPDATE dispatch_window SET published_at = now() WHERE notice_id = ? AND last_id = ?",
                        noticeId, window[1]);
            }
        }
        List<Long> retries;
        try (PreparedStatement statement = connection.prepareStatement(STALE_RETRIES)) {
            statement.setLong(1, noticeId);
            statement.setLong(2, noticeId);
            statement.setDouble(3, requeueSeconds);
            statement.setLong(4, config.maxInFlight());
            retries = ids(statement);
        }
        if (!retries.isEmpty()) {
            LOG.infof("Notice %d: publishing %d stale retries again", noticeId, retries.size());
            publishStriped(noticeId, retries);
        }
    }

    /**
     * Publishes in batches of every K-th id (K = number of batches), so that rows sharing a page land
     * in different batches; answers whether the broker confirmed every batch.
     */
    private boolean publishStriped(long noticeId, List<Long> ids) {
        int batches = (ids.size() + config.batchSize() - 1) / config.batchSize();
        try {
            for (int b = 0; b < batches; b++) {
                List<Long> batch = new ArrayList<>(config.batchSize());
                for (int i = b; i < ids.size(); i += batches) {
                    batch.add(ids.get(i));
                }
                // Bounded: with the broker down, the tick must come back and try again later, not hang.
                emailBatches.send(JsonObject.mapFrom(new DeliveryBatch(noticeId, batch)))
                        .await().atMost(config.publishTimeout());
            }
            return true;
        } catch (RuntimeException e) {
            LOG.warnf(e, "Notice %d: the broker did not take a batch of deliveries", noticeId);
            return false;
        }
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
