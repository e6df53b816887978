package dev.herald.dispatch;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.channel.ChannelHealth;
import dev.herald.channel.DestinationSource;
import dev.herald.delivery.DeliveryChannel;
import dev.herald.delivery.DeliveryCounts;
import dev.herald.delivery.DeliveryLedger;
import dev.herald.delivery.DeliveryStatus;
import dev.herald.notice.Fallback;
import dev.herald.notice.NoticeDispatched;
import dev.herald.notice.NoticeLifecycle;
import dev.herald.ops.Jdbc;
import dev.herald.ops.Pods;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Drives every DISPATCHING notice: plan, hand out within each channel's back-pressure window,
 * re-publish what is due or stale, and complete. Every pod runs this loop; a session advisory lock
 * per notice makes one pod at a time drive a given notice, and PostgreSQL releases it if that pod
 * dies. Planning runs beside it, on as many threads (and pods) as are configured.
 */
@ApplicationScoped
public class DispatchLoop {

    private static final Logger LOG = Logger.getLogger(DispatchLoop.class);

    /** Notices cancelled while some of their deliveries were held by workers, or by a pod that died. */
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
    private final DeliveryLedger ledger;
    private final DispatchConfig config;
    private final ObjectMapper json;
    private final NoticeLifecycle lifecycle;
    private final ChannelHealth health;
    private final Pods pods;
    private final Fallbacks fallbacks;
    private final Map<DeliveryChannel, String> destinations = new EnumMap<>(DeliveryChannel.class);
    /** When each notice was last scanned for due retries and stale rows; bounded by the notices in flight. */
    private final Map<Long, Instant> lastRescan = new ConcurrentHashMap<>();
    private final Set<Long> planningHere = ConcurrentHashMap.newKeySet();
    private Instant lastLeaseCheck = Instant.EPOCH;
    /** Quarkus' scheduler runs nothing more often than once a second; the loop wants shorter ticks. */
    private ScheduledExecutorService executor;
    private ExecutorService planning;

    DispatchLoop(AgroalDataSource dataSource, DeliveryPlanner planner, Dispatcher dispatcher, DeliveryCounts counts,
            DeliveryLedger ledger, DispatchConfig config, ObjectMapper json, NoticeLifecycle lifecycle,
            ChannelHealth health, Pods pods, Fallbacks fallbacks, Instance<DestinationSource> sources) {
        this.fallbacks = fallbacks;
        this.dataSource = dataSource;
        this.planner = planner;
        this.dispatcher = dispatcher;
        this.counts = counts;
        this.ledger = ledger;
        this.config = config;
        this.json = json;
        this.lifecycle = lifecycle;
        this.health = health;
        this.pods = pods;
        sources.forEach(source -> destinations.put(source.channel(), source.sql()));
    }

    void start(@Observes StartupEvent event) {
        checkPoolSize();
        executor = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "herald-dispatch-loop"));
        planning = Executors.newFixedThreadPool(config.planThreads(), r -> new Thread(r, "herald-planner"));
        long tick = config.tick().toMillis();
        executor.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    }

    /**
     * Senders hold a connection only briefly (no transaction stays open across a send), but each needs
     * one at times, as do the planners, this loop, the heartbeat and the API: a pool smaller than that
     * would make them wait on each other. Refuses to start rather than stall under load.
     */
    private void checkPoolSize() {
        Config mp = ConfigProvider.getConfig();
        int senders = 0;
        for (String name : mp.getPropertyNames()) {
            if (name.startsWith("smallrye.messaging.worker.") && name.endsWith(".max-concurrency")) {
                senders += mp.getValue(name, Integer.class);
            }
        }
        // A sender and the write of its last outcomes each hold one at times.
        int needed = 2 * senders + config.planThreads() + 4;
        int pool = mp.getOptionalValue("quarkus.datasource.jdbc.max-size", Integer.class).orElse(20);
        if (pool < needed) {
            throw new IllegalStateException("quarkus.datasource.jdbc.max-size is " + pool + "; " + senders
                    + " senders with their outcome writes, " + config.planThreads() + " planners, the dispatch loop,"
                    + " the heartbeat and the API need at least " + needed);
        }
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        executor.shutdown();
        planning.shutdown();
        executor.awaitTermination(30, TimeUnit.SECONDS);
        planning.awaitTermination(30, TimeUnit.SECONDS);
    }

    /** A notice was just dispatched on this pod: its planning starts now, not at the next tick. */
    void wake(@Observes NoticeDispatched event) {
        executor.execute(this::tick);
    }

    void tick() {
        if (!pods.sends()) {
            return;
        }
        try (Connection connection = dataSource.getConnection()) {
            takeBackSilentLeases(connection);
            for (long noticeId : Jdbc.queryList(connection, CANCELLED_WITH_OPEN_ROWS)) {
                lifecycle.cancelRows(noticeId);
            }
            for (long noticeId : Jdbc.queryList(connection, "SELECT id FROM notice WHERE status = 'DISPATCHING' ORDER BY id")) {
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
        DeliveryPlanner.Audience audience = audienceOf(connection, noticeId);
        if (audience == null) {
            return;
        }
        boolean planned = Jdbc.queryOne(connection, Boolean.class, "SELECT planned_at IS NOT NULL FROM notice WHERE id = ?",
                noticeId);
        if (!planned && planningHere.add(noticeId)) {
            startPlanning(audience);
        }
        long upTo = planner.dispatchableUpTo(connection, noticeId);
        Instant last = lastRescan.getOrDefault(noticeId, Instant.EPOCH);
        boolean rescan = planned && Instant.now().isAfter(last.plus(config.rescanInterval()));
        if (rescan) {
            lastRescan.put(noticeId, Instant.now());
        }
        for (DeliveryChannel channel : channelsOf(connection, noticeId)) {
            if (!health.isUp(channel)) {
                continue;
            }
            long room = config.maxInFlight() - counts.count(connection, noticeId, channel, DeliveryStatus.QUEUED);
            if (rescan) {
                // Before new deliveries, which would otherwise fill the room while any are left: those due were
                // waiting already (a domain's pace, a retry, a fallback), and they are few at any one time.
                room -= dispatcher.publishDueRetries(connection, noticeId, channel, room);
                dispatcher.republishStale(connection, noticeId, channel);
            }
            if (planned) {
                dispatcher.publishNew(connection, noticeId, channel, room, upTo);
            } else if (neverHandedOut(connection, noticeId, channel)) {
                // While a notice is being planned one batch per channel goes out: the first messages leave at
                // once, and planning does not compete with sending for the machine.
                dispatcher.publishNew(connection, noticeId, channel, Math.min(room, config.batchSize()), upTo);
            }
        }
        if (planned && lifecycle.complete(noticeId)) {
            lastRescan.remove(noticeId);
            LOG.infof("Notice %d: COMPLETED", noticeId);
        }
    }

    /** Plans one notice on every planning thread, each claiming chunks until none is left. */
    private void startPlanning(DeliveryPlanner.Audience audience) {
        long noticeId = audience.noticeId();
        int threads = config.planThreads();
        AtomicInteger running = new AtomicInteger(threads);
        for (int t = 0; t < threads; t++) {
            planning.execute(() -> {
                try (Connection connection = dataSource.getConnection()) {
                    planner.plan(connection, audience);
                } catch (SQLException | RuntimeException e) {
                    LOG.errorf(e, "Notice %d: planning failed; the next tick tries again", noticeId);
                } finally {
                    if (running.decrementAndGet() == 0) {
                        planningHere.remove(noticeId);
                    }
                }
            });
        }
    }

    /**
     * Pods that stopped beating leave leases behind; their deliveries are handed back. Judged only by a
     * pod whose own heartbeat has been steady (after a database outage every pod looks silent at first).
     */
    private void takeBackSilentLeases(Connection connection) throws SQLException {
        if (!pods.mayJudgeOthers() || Instant.now().isBefore(lastLeaseCheck.plus(config.rescanInterval()))) {
            return;
        }
        lastLeaseCheck = Instant.now();
        for (DeliveryLedger.TakenBack taken : Jdbc.inTransaction(connection,
                c -> ledger.takeBackSilentLeases(c, pods.presumedDeadAfter()))) {
            LOG.warnf("Notice %d: took back %d %s deliveries from a pod silent for over %s", taken.noticeId(),
                    taken.deliveries(), taken.channel().key(), pods.presumedDeadAfter());
        }
    }

    private static boolean neverHandedOut(Connection connection, long noticeId, DeliveryChannel channel)
            throws SQLException {
        return Jdbc.queryOne(connection, Long.class, "SELECT coalesce(sum(count), 0)::bigint FROM delivery_count"
                + " WHERE notice_id = ? AND channel = ?::delivery_channel AND status NOT IN ('PENDING', 'SKIPPED')",
                noticeId, channel.name()) == 0;
    }

    private static List<DeliveryChannel> channelsOf(Connection connection, long noticeId) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT channels FROM notice WHERE id = ?")) {
            statement.setLong(1, noticeId);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                return Arrays.stream((String[]) row.getArray(1).getArray()).map(DeliveryChannel::valueOf).toList();
            }
        }
    }

    /**
     * The notice's audience and the destinations of the channels planned up front, or null when it is no
     * longer DISPATCHING.
     */
    private DeliveryPlanner.Audience audienceOf(Connection connection, long noticeId) throws SQLException {
        Optional<Fallback> fallback = fallbacks.of(connection, noticeId);
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT audience::text, channels FROM notice WHERE id = ? AND status = 'DISPATCHING'")) {
            statement.setLong(1, noticeId);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return null;
                }
                Map<DeliveryChannel, String> channels = new EnumMap<>(DeliveryChannel.class);
                Array names = rows.getArray(2);
                for (String name : (String[]) names.getArray()) {
                    DeliveryChannel channel = DeliveryChannel.valueOf(name);
                    if (fallback.isPresent() && fallback.get().first() != channel) {
                        continue;
                    }
                    String sql = destinations.get(channel);
                    if (sql == null) {
                        throw new IllegalStateException("Notice " + noticeId + " asks for " + channel
                                + ", which this Herald has no destinations for");
                    }
                    channels.put(channel, sql);
                }
                return new DeliveryPlanner.Audience(noticeId, json.readTree(rows.getString(1)), channels);
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Notice " + noticeId + " has an unreadable audience", e);
        }
    }

    private static boolean tryLock(Connection connection, long noticeId) throws SQLException {
        return Jdbc.queryOne(connection, Boolean.class, "SELECT pg_try_advisory_lock(?)", noticeId);
    }

    private static void unlock(Connection connection, long noticeId) throws SQLException {
        Jdbc.queryOne(connection, Boolean.class, "SELECT pg_advisory_unlock(?)", noticeId);
    }
}
