package dev.herald.notice;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import org.jboss.logging.Logger;

import dev.herald.delivery.DeliveryCounts;
import dev.herald.delivery.DeliveryLedger;
import dev.herald.ops.ConflictException;
import dev.herald.ops.Jdbc;
import dev.herald.ops.NotFoundException;
import io.agroal.api.AgroalDataSource;

/**
 * The one owner of a notice's lifecycle: DRAFT → DISPATCHING → COMPLETED, with PAUSED and CANCELLED.
 * Every transition is one transaction that first locks the notice row FOR NO KEY UPDATE, so
 * transitions are ordered against each other and against the workers' claims, which read the row
 * under a share lock. (NO KEY: a counter write takes a key-share lock on the notice through its
 * foreign key, and must not wait on a transition.)
 */
@ApplicationScoped
public class NoticeLifecycle {

    private static final Logger LOG = Logger.getLogger(NoticeLifecycle.class);

    private final AgroalDataSource dataSource;
    private final DeliveryLedger ledger;
    private final DeliveryCounts counts;
    private final Event<NoticeDispatched> dispatched;

    NoticeLifecycle(AgroalDataSource dataSource, DeliveryLedger ledger, DeliveryCounts counts,
            Event<NoticeDispatched> dispatched) {
        this.dataSource = dataSource;
        this.ledger = ledger;
        this.counts = counts;
        this.dispatched = dispatched;
    }

    /**
     * DRAFT to DISPATCHING by {@code actor}; the dispatch loop plans and sends from there. When
     * {@code audienceNeedingApproval} is not 0 the notice needs an approval, by another operator.
     */
    public void dispatch(long noticeId, String actor, long audienceNeedingApproval) {
        transition(noticeId, (c, status) -> {
            if (status != NoticeStatus.DRAFT) {
                throw refused(noticeId, status, "only a DRAFT notice can be dispatched");
            }
            String approvedBy = Jdbc.queryOne(c, String.class, "SELECT approved_by FROM notice WHERE id = ?", noticeId);
            if (audienceNeedingApproval > 0 && approvedBy == null) {
                throw new ConflictException("notice " + noticeId + " reaches " + audienceNeedingApproval
                        + " customers; it must be approved (POST /v1/notices/" + noticeId + "/approve) by one operator"
                        + " and dispatched by another");
            }
            if (audienceNeedingApproval > 0 && approvedBy.equals(actor)) {
                throw new ConflictException("notice " + noticeId + " was approved by " + actor
                        + "; another operator must dispatch it");
            }
            boolean toAffectedList = Jdbc.queryOne(c, Boolean.class, "SELECT audience -> 'affectedAccounts' IS NOT NULL"
                    + " FROM notice WHERE id = ?", noticeId);
            if (toAffectedList && Jdbc.queryOne(c, Long.class,
                    "SELECT count(*) FROM (SELECT 1 FROM affected_account WHERE notice_id = ? LIMIT 1) a", noticeId) == 0) {
                throw new ConflictException("notice " + noticeId
                        + " is addressed to its affected-account list, and none has been uploaded");
            }
            Jdbc.update(c, "UPDATE notice SET status = ?, dispatched_at = now(), dispatched_by = ? WHERE id = ?",
                    NoticeStatus.DISPATCHING.name(), actor, noticeId);
            ledger.open(c, noticeId);
        });
        dispatched.fire(new NoticeDispatched(noticeId));
    }

    /** Records that {@code actor} approves a DRAFT notice for dispatch. */
    public void approve(long noticeId, String actor) {
        transition(noticeId, (c, status) -> {
            if (status != NoticeStatus.DRAFT) {
                throw refused(noticeId, status, "only a DRAFT notice can be approved");
            }
            Jdbc.update(c, "UPDATE notice SET approved_by = ?, approved_at = now() WHERE id = ?", actor, noticeId);
        });
    }

    /** DISPATCHING to PAUSED; pausing a paused notice changes nothing. */
    public void pause(long noticeId) {
        transition(noticeId, (c, status) -> {
            switch (status) {
                case PAUSED -> {
                }
                case DISPATCHING -> set(c, noticeId, NoticeStatus.PAUSED, "paused_at = now()");
                default -> throw refused(noticeId, status, "only a DISPATCHING notice can be paused");
            }
        });
    }

    /**
     * Pauses a notice that cannot go on until an operator acts (a provider refused Herald's
     * credentials), with the reason; nothing when it is no longer DISPATCHING.
     */
    public void halt(long noticeId, String reason) {
        transition(noticeId, (c, status) -> {
            if (status == NoticeStatus.DISPATCHING) {
                Jdbc.update(c, "UPDATE notice SET status = ?, paused_at = now(), pause_reason = ? WHERE id = ?",
                        NoticeStatus.PAUSED.name(), reason, noticeId);
                LOG.warnf("Notice %d: paused by Herald: %s", noticeId, reason);
            }
        });
    }

    /** PAUSED to DISPATCHING; what was handed to the broker before the pause is handed again at once. */
    public void resume(long noticeId) {
        transition(noticeId, (c, status) -> {
            switch (status) {
                case DISPATCHING -> {
                }
                case PAUSED -> {
                    set(c, noticeId, NoticeStatus.DISPATCHING, "paused_at = NULL, pause_reason = NULL");
                    ledger.releaseAll(c, noticeId);
                }
                default -> throw refused(noticeId, status, "only a PAUSED notice can be resumed");
            }
        });
    }

    /**
     * Stops a notice for good: every delivery that could still change becomes CANCELLED. The status
     * commits first, so that workers see it and stop; then the rows no worker holds are cancelled. The
     * rest are cancelled by {@link #cancelRows} when their workers hand them back, or when a pod that died
     * in between is noticed.
     */
    public void cancel(long noticeId) {
        transition(noticeId, (c, status) -> {
            switch (status) {
                case CANCELLED -> {
                }
                case DRAFT, DISPATCHING, PAUSED -> set(c, noticeId, NoticeStatus.CANCELLED, "cancelled_at = now()");
                default -> throw refused(noticeId, status, "a COMPLETED notice cannot be cancelled");
            }
        });
        cancelRows(noticeId);
    }

    /** Cancels what can still change of a CANCELLED notice; nothing when that is done. */
    public void cancelRows(long noticeId) {
        transition(noticeId, (c, status) -> {
            if (status == NoticeStatus.CANCELLED) {
                long cancelled = ledger.cancel(c, noticeId);
                if (cancelled > 0) {
                    LOG.infof("Notice %d: %d deliveries CANCELLED", noticeId, cancelled);
                }
            }
        });
    }

    /**
     * COMPLETED to DISPATCHING: a delivery was added after the notice completed (the fallback of a late
     * bounce), and must be sent; nothing in any other state.
     */
    public void reopen(long noticeId) {
        transition(noticeId, (c, status) -> {
            if (status == NoticeStatus.COMPLETED) {
                set(c, noticeId, NoticeStatus.DISPATCHING, "completed_at = NULL");
                LOG.infof("Notice %d: DISPATCHING again, for the fallback of a late bounce", noticeId);
            }
        });
    }

    /** Records that the whole audience of a DISPATCHING or PAUSED notice is planned. */
    public void planned(Connection c, long noticeId) throws SQLException {
        Jdbc.update(c, "UPDATE notice SET planned_at = now() WHERE id = ? AND planned_at IS NULL", noticeId);
    }

    /** COMPLETED once the whole audience is planned and no delivery can change any more; answers whether it is now. */
    public boolean complete(long noticeId) {
        boolean[] completed = new boolean[1];
        transition(noticeId, (c, status) -> {
            if (status == NoticeStatus.DISPATCHING
                    && Jdbc.queryOne(c, Boolean.class, "SELECT planned_at IS NOT NULL FROM notice WHERE id = ?", noticeId)
                    && counts.allFinal(c, noticeId)) {
                set(c, noticeId, NoticeStatus.COMPLETED, "completed_at = now()");
                ledger.closeWindows(c, noticeId);
                completed[0] = true;
            }
        });
        return completed[0];
    }

    @FunctionalInterface
    private interface Transition {
        void apply(Connection connection, NoticeStatus status) throws SQLException;
    }

    /** Records that a finished notice's deliveries were removed, and where its signed evidence is kept. */
    public void purged(long noticeId, String archive) {
        transition(noticeId, (c, status) -> Jdbc.update(c,
                "UPDATE notice SET purged_at = now(), evidence_archive = ? WHERE id = ?", archive, noticeId));
    }

    private void transition(long noticeId, Transition transition) {
        try (Connection connection = dataSource.getConnection()) {
            Jdbc.inTransaction(connection, c -> {
                NoticeStatus status;
                try (PreparedStatement statement = c.prepareStatement(
                        "SELECT status FROM notice WHERE id = ? FOR NO KEY UPDATE")) {
                    statement.setLong(1, noticeId);
                    try (ResultSet row = statement.executeQuery()) {
                        if (!row.next()) {
                            throw new NotFoundException("notice", noticeId);
                        }
                        status = NoticeStatus.valueOf(row.getString(1));
                    }
                }
                transition.apply(c, status);
                return null;
            });
        } catch (SQLException e) {
            throw new IllegalStateException("Notice " + noticeId + ": lifecycle change failed", e);
        }
    }

    private static void set(Connection c, long noticeId, NoticeStatus status, String alsoSet) throws SQLException {
        Jdbc.update(c, "UPDATE notice SET status = ?, " + alsoSet + " WHERE id = ?", status.name(), noticeId);
    }

    private static ConflictException refused(long noticeId, NoticeStatus status, String rule) {
        return new ConflictException("notice " + noticeId + " is " + status + "; " + rule);
    }
}
