package dev.herald.dispatch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.delivery.Channel;
import dev.herald.delivery.DeliveryCounts;
import dev.herald.delivery.DeliveryStatus;
import dev.herald.ops.Jdbc;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Drives every DISPATCHING notice: plan, publish within the back-pressure window, re-publish what
 * is due or stale, and complete. Every pod runs this loop; a session advisory lock per notice makes
 * one pod at a time drive a given notice, and PostgreSQL releases it if that pod dies.
 */
@ApplicationScoped
public class DispatchLoop {

    private static final Logger LOG = Logger.getLogger(DispatchLoop.class);

    /** Notices cancelled by a pod that died before it cancelled their rows. */
    private static final String CANCELLED_WITH_OPEN_ROWS = """
            SELECT n.id FROM notice n
             WHERE n.status = 'CANCELLED'
               AND EXISTS (SELECT 1 FROM delivery_count dc
                            WHERE dc.notice_id = n.id AND dc.status IN ('PENDING', 'QUEUED') AND dc.count > 0)
            """;

    private final AgroalDataSource dataSource;
    private final DeliveryPlanner planner;
    private final Dispatcher dispatcher;
    private final DeliveryCounts counts;
    private final DispatchConfig config;
    private final ObjectMapper json;
    private final NoticeControl control;
    /** When each notice was last scanned for due retries and stale rows; bounded by the notices in flight. */
    private final Map<Long, Instant> lastRescan = new ConcurrentHashMap<>();

    DispatchLoop(AgroalDataSource dataSource, DeliveryPlanner planner, Dispatcher dispatcher, DeliveryCounts counts,
            DispatchConfig config, ObjectMapper json, NoticeControl control) {
        this.control = control;
        this.dataSource = dataSource;
        this.planner = planner;
        this.dispatcher = dispatcher;
        this.counts = counts;
        this.config = config;
        this.json = json;
    }

    /** Quarkus' scheduler runs nothing more often than once a second; the loop wants shorter ticks. */
    private ScheduledExecutorService executor;
    /** Planning runs beside the loop, so that sending starts while a large audience is still being planned. */
    private ExecutorService planning;
    private final Set<Long> planningHere = ConcurrentHashMap.newKeySet();

    void start(@Observes StartupEvent event) {
        executor = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "herald-dispatch-loop"));
        planning = Executors.newSingleThreadExecutor(r -> new Thread(r, "herald-planner"));
        long tick = config.tick().toMillis();
        executor.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        executor.shutdown();
        planning.shutdown();
        executor.awaitTermination(30, TimeUnit.SECONDS);
        planning.awaitTermination(30, TimeUnit.SECONDS);
    }

    void tick() {
        try (Connection connection = dataSource.getConnection()) {
            for (long noticeId : ids(connection, CANCELLED_WITH_OPEN_ROWS)) {
                control.cancelRows(noticeId);
            }
            for (long noticeId : ids(connection, "SELECT id FROM notice WHERE status = 'DISPATCHING' ORDER BY id")) {
                if (!tryLock(connection, noticeId)) {
                    continue;
                }
                try {
                    drive(connection, noticeId);
                } catch (SQLException | RuntimeException e) {
                    LOG.errorf(e, "Notice %d: dispatch step failed; the next tick tries again", noticeId);
                } finally {
                    unlock(connection, noticeId);
                }
            }
        } catch (SQLException | RuntimeException e) {
            // An exception escaping a fixed-delay task would cancel every later tick.
            LOG.error("Dispatch tick failed; the next one tries again", e);
        }
    }

    private void drive(Connection connection, long noticeId) throws SQLException {
        ActiveNotice notice = load(connection, noticeId);
        if (notice == null) {
            return;
        }
        boolean planned = notice.planned();
        if (!planned && planningHere.add(noticeId)) {
            planning.execute(() -> plan(noticeId));
        }
        long room = config.maxInFlight() - counts.count(connection, noticeId, Channel.EMAIL, DeliveryStatus.QUEUED);
        if (planned) {
            room -= dispatcher.publishNew(connection, noticeId, room);
        } else if (notice.dispatchCursor() == 0) {
            // While a notice is being planned one batch goes out: the first emails leave at once, and
            // planning does not compete with sending for the machine (a full window cost 2.4 s of 7.1).
            dispatcher.publishNew(connection, noticeId, Math.min(room, config.batchSize()));
        }
        Instant last = lastRescan.getOrDefault(noticeId, Instant.EPOCH);
        if (planned && Instant.now().isAfter(last.plus(config.rescanInterval()))) {
            lastRescan.put(noticeId, Instant.now());
            dispatcher.publishDueRetries(connection, noticeId, room);
            dispatcher.republishStale(connection, noticeId);
        }
        if (planned && complete(connection, noticeId)) {
            lastRescan.remove(noticeId);
            LOG.infof("Notice %d: COMPLETED", noticeId);
        }
    }

    /** Plans one notice to the end, unless another pod holds its planning lock. */
    private void plan(long noticeId) {
        try (Connection connection = dataSource.getConnection()) {
            if (tryLock(connection, planningLock(noticeId))) {
                try {
                    ActiveNotice notice = load(connection, noticeId);
                    if (notice != null && !notice.planned()) {
                        planner.plan(connection, notice);
                    }
                } finally {
                    unlock(connection, planningLock(noticeId));
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.errorf(e, "Notice %d: planning failed; the next tick tries again", noticeId);
        } finally {
            planningHere.remove(noticeId);
        }
    }

    /** Advisory lock keys: a notice's id for driving it, its negation for planning it. */
    private static long planningLock(long noticeId) {
        return -noticeId;
    }

    private static List<Long> ids(Connection connection, String query) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(query);
                ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                ids.add(rows.getLong(1));
            }
        }
        return ids;
    }

    private ActiveNotice load(Connection connection, long noticeId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT audience::text, plan_cursor, planned_at IS NOT NULL, dispatch_cursor FROM notice WHERE id = ? AND status = 'DISPATCHING'")) {
            statement.setLong(1, noticeId);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return null;
                }
                return new ActiveNotice(noticeId, json.readTree(rows.getString(1)), rows.getString(2), rows.getBoolean(3),
                        rows.getLong(4));
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Notice " + noticeId + " has an unreadable audience", e);
        }
    }

    /** COMPLETED once the whole audience is planned and no delivery can change any more. */
    private static boolean complete(Connection connection, long noticeId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("""
                UPDATE notice SET status = 'COMPLETED', completed_at = now()
                 WHERE id = ? AND status = 'DISPATCHING' AND planned_at IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM delivery_count
                                    WHERE notice_id = ? AND status IN ('PENDING', 'QUEUED') AND count > 0)
                """)) {
            statement.setLong(1, noticeId);
            statement.setLong(2, noticeId);
            if (statement.executeUpdate() == 0) {
                return false;
            }
        }
        Jdbc.update(connection, "DELETE FROM dispatch_window WHERE notice_id = ?", noticeId);
        return true;
    }

    private static boolean tryLock(Connection connection, long noticeId) throws SQLException {
        return Jdbc.queryOne(connection, Boolean.class, "SELECT pg_try_advisory_lock(?)", noticeId);
    }

    private static void unlock(Connection connection, long noticeId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            statement.setLong(1, noticeId);
            statement.execute();
        }
    }
}
