package dev.herald.dispatch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.herald.delivery.Channel;
import dev.herald.delivery.DeliveryCounts;
import dev.herald.delivery.DeliveryStatus;
import dev.herald.ops.Jdbc;
import dev.herald.ops.ProblemException;
import io.agroal.api.AgroalDataSource;

/**
 * Pause, resume and cancel. Each is one transaction that locks the notice row first, so it is
 * ordered against the planner's chunks and the dispatcher's windows, which lock it too. The lock is
 * FOR NO KEY UPDATE: a worker's counter write takes a key-share lock on the notice through the
 * foreign key, and a cancel waiting for that worker's rows must not block it (a deadlock). Workers
 * stop by themselves: they read the notice's status when they lock rows and, through
 * {@link DeliveryGate}, between messages.
 */
@ApplicationScoped
public class NoticeControl {

    private static final Logger LOG = Logger.getLogger(NoticeControl.class);

    /**
     * Cancels what can still change, and counts it by the state delivery_count holds it in: a row
     * never attempted behind the dispatch cursor counts as QUEUED (V3). Rows a worker holds are
     * waited for and re-read, so one it has just sent stays SENT.
     */
    private static final String CANCEL_ROWS = """
            WITH waiting AS (
              SELECT id, status, next_attempt_at FROM delivery
               WHERE notice_id = ? AND status IN ('PENDING', 'QUEUED')
                 FOR UPDATE),
            cancelled AS (
              UPDATE delivery d
                 SET status = 'CANCELLED', next_attempt_at = NULL, updated_at = now(), last_error = 'notice cancelled'
                FROM waiting WHERE d.notice_id = ? AND d.id = waiting.id
              RETURNING waiting.status = 'QUEUED' OR (waiting.next_attempt_at IS NULL AND waiting.id <= ?) AS queued)
            SELECT count(*) FILTER (WHERE queued), count(*) FILTER (WHERE NOT queued) FROM cancelled
            """;

    private final AgroalDataSource dataSource;
    private final Dispatcher dispatcher;
    private final DeliveryCounts counts;

    NoticeControl(AgroalDataSource dataSource, Dispatcher dispatcher, DeliveryCounts counts) {
        this.dataSource = dataSource;
        this.dispatcher = dispatcher;
        this.counts = counts;
    }

    /** DISPATCHING to PAUSED; pausing a paused notice changes nothing. */
    public void pause(long noticeId) {
        inTransaction(noticeId, (c, state) -> {
            switch (state.status()) {
                case "PAUSED" -> {
                }
                case "DISPATCHING" -> Jdbc.update(c,
                        "UPDATE notice SET status = 'PAUSED', paused_at = now() WHERE id = ?", noticeId);
                default -> throw refused(noticeId, state.status(), "only a DISPATCHING notice can be paused");
            }
        });
    }

    /** PAUSED to DISPATCHING; what was handed to the broker before the pause is handed again at once. */
    public void resume(long noticeId) {
        inTransaction(noticeId, (c, state) -> {
            switch (state.status()) {
                case "DISPATCHING" -> {
                }
                case "PAUSED" -> {
                    Jdbc.update(c, "UPDATE notice SET status = 'DISPATCHING', paused_at = NULL WHERE id = ?", noticeId);
                    dispatcher.releaseAll(c, noticeId);
                }
                default -> throw refused(noticeId, state.status(), "only a PAUSED notice can be resumed");
            }
        });
    }

    /**
     * Stops a notice for good: every delivery that could still change becomes CANCELLED. The status
     * commits first, so that workers in the middle of a batch see it and stop; then the rows are
     * cancelled (waiting for those batches). Should the pod die in between, the dispatch loop
     * cancels the rows.
     */
    public void cancel(long noticeId) {
        inTransaction(noticeId, (c, state) -> {
            switch (state.status()) {
                case "CANCELLED" -> {
                }
                case "DRAFT", "DISPATCHING", "PAUSED" -> Jdbc.update(c,
                        "UPDATE notice SET status = 'CANCELLED', cancelled_at = now() WHERE id = ?", noticeId);
                default -> throw refused(noticeId, state.status(), "a COMPLETED notice cannot be cancelled");
            }
        });
        cancelRows(noticeId);
    }

    /** Cancels what can still change of a CANCELLED notice; nothing when that is done. */
    void cancelRows(long noticeId) {
        inTransaction(noticeId, (c, state) -> {
            if (!state.status().equals("CANCELLED")) {
                return;
            }
            try (PreparedStatement statement = c.prepareStatement(CANCEL_ROWS)) {
                statement.setLong(1, noticeId);
                statement.setLong(2, noticeId);
                statement.setLong(3, state.dispatchCursor());
                try (ResultSet row = statement.executeQuery()) {
                    row.next();
                    long queued = row.getLong(1);
                    long pending = row.getLong(2);
                    counts.apply(c, noticeId, new DeliveryCounts.Delta()
                            .move(Channel.EMAIL, DeliveryStatus.QUEUED, DeliveryStatus.CANCELLED, queued)
                            .move(Channel.EMAIL, DeliveryStatus.PENDING, DeliveryStatus.CANCELLED, pending));
                    if (queued + pending > 0) {
                        LOG.infof("Notice %d: %d deliveries CANCELLED", noticeId, queued + pending);
                    }
                }
            }
            Jdbc.update(c, "DELETE FROM dispatch_window WHERE notice_id = ?", noticeId);
        });
    }

    private record State(String status, long dispatchCursor) {
    }

    @FunctionalInterface
    private interface Change {
        void apply(Connection connection, State state) throws SQLException;
    }

    private void inTransaction(long noticeId, Change change) {
        try (Connection connection = dataSource.getConnection()) {
            Jdbc.inTransaction(connection, c -> {
                State state;
                try (PreparedStatement statement = c.prepareStatement(
                        "SELECT status, dispatch_cursor FROM notice WHERE id = ? FOR NO KEY UPDATE")) {
                    statement.setLong(1, noticeId);
                    try (ResultSet row = statement.executeQuery()) {
                        if (!row.next()) {
                            throw ProblemException.notFound("notice", noticeId);
                        }
                        state = new State(row.getString(1), row.getLong(2));
                    }
                }
                change.apply(c, state);
                return null;
            });
        } catch (SQLException e) {
            throw new IllegalStateException("Notice " + noticeId + ": control change failed", e);
        }
    }

    private static ProblemException refused(long noticeId, String status, String rule) {
        return ProblemException.conflict("notice " + noticeId + " is " + status + "; " + rule);
    }
}
