package dev.herald.dispatch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.channel.ChannelHealth;
import dev.herald.channel.ChannelMetrics;
import dev.herald.channel.ChannelSender;
import dev.herald.channel.ChannelUnavailableException;
import dev.herald.channel.DeliveryJob;
import dev.herald.channel.OutcomeSink;
import dev.herald.channel.SendingHaltedException;
import dev.herald.delivery.DeliveryChannel;
import dev.herald.delivery.DeliveryLedger;
import dev.herald.delivery.Outcome;
import dev.herald.notice.NoticeLifecycle;
import dev.herald.notice.NoticeService;
import dev.herald.ops.Jdbc;
import dev.herald.ops.Pods;
import dev.herald.render.CompiledNotice;
import dev.herald.render.Recipient;
import dev.herald.render.RecipientRows;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.json.JsonObject;

/**
 * The batch pipeline every channel shares. For one broker message: lease the deliveries still open
 * (a short transaction), load what rendering needs, hand the jobs to the channel's sender outside any
 * transaction, record outcomes as they come (every few messages or every second, each in a short
 * transaction), then hand back what was not attempted and end the lease. A channel found down, or a
 * notice that cannot go on, stops the batch and hands the rest back without counting an attempt.
 */
@ApplicationScoped
public class DeliveryWorker {

    private static final Logger LOG = Logger.getLogger(DeliveryWorker.class);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(20);

    private static final String RECIPIENTS = """
            SELECT %s
              FROM customer c LEFT JOIN affected_account a ON a.notice_id = ? AND a.customer_id = c.id
             WHERE c.id = ANY(?)
            """.formatted(RecipientRows.COLUMNS);

    private final AgroalDataSource dataSource;
    private final DeliveryLedger ledger;
    private final NoticeService notices;
    private final NoticeLifecycle lifecycle;
    private final DeliveryGate gate;
    private final ChannelHealth health;
    private final Pods pods;
    private final ChannelMetrics metrics;
    private final DispatchConfig config;
    private final Fallbacks fallbacks;
    private final ObjectMapper json;
    /** Batches being delivered now; the shutdown waits for them. */
    private final Phaser inFlight = new Phaser(1);
    /** Where outcomes are written while their senders go on; one write per batch at a time. */
    private final ExecutorService recording = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "herald-recorder");
        thread.setDaemon(true);
        return thread;
    });

    DeliveryWorker(AgroalDataSource dataSource, DeliveryLedger ledger, NoticeService notices, NoticeLifecycle lifecycle,
            DeliveryGate gate, ChannelHealth health, Pods pods, DispatchConfig config, Fallbacks fallbacks,
            ChannelMetrics metrics, ObjectMapper json) {
        this.fallbacks = fallbacks;
        this.metrics = metrics;
        this.dataSource = dataSource;
        this.ledger = ledger;
        this.notices = notices;
        this.lifecycle = lifecycle;
        this.gate = gate;
        this.health = health;
        this.pods = pods;
        this.config = config;
        this.json = json;
    }

    /**
     * Delivers one broker message with the channel's sender. Throws only before anything is leased (the
     * database cannot be reached), so that the message goes back to the queue.
     */
    public void deliver(ChannelSender sender, JsonObject message) throws SQLException {
        // Sending is background work: at the lowest priority (nice 10 under the JVM flags of k8s/herald.yaml)
        // a sender yields the CPU to API calls when a pod is saturated. Without those flags this changes nothing.
        Thread.currentThread().setPriority(Thread.MIN_PRIORITY);
        DeliveryBatch batch = message.mapTo(DeliveryBatch.class);
        inFlight.register();
        // Every log line of the batch names its notice (a field of the JSON logs).
        MDC.put("noticeId", String.valueOf(batch.noticeId()));
        try {
            deliver(sender, batch);
        } finally {
            MDC.remove("noticeId");
            inFlight.arriveAndDeregister();
        }
    }

    /**
     * A pod told to stop sends nothing more: batches being sent stop after their current message, record
     * what they did and hand back the rest for another pod. It waits for them, so that no send goes
     * unrecorded.
     */
    void drain(@Observes @Priority(1) ShutdownEvent event) {
        gate.close();
        try {
            inFlight.awaitAdvanceInterruptibly(inFlight.arrive(), DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("Delivery batches drained");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            LOG.warnf("Delivery batches still running after %s; their deliveries are taken back once this pod is"
                    + " presumed dead", DRAIN_TIMEOUT);
        }
    }

    private void deliver(ChannelSender sender, DeliveryBatch batch) throws SQLException {
        long noticeId = batch.noticeId();
        DeliveryChannel channel = sender.channel();
        DeliveryLedger.Lease lease;
        List<DeliveryJob> jobs;
        try (Connection connection = dataSource.getConnection()) {
            if (!gate.isOpen(noticeId) || !health.isUp(channel)) {
                // Paused, cancelled, stopping or the channel down: back to its window, to be published again later.
                Jdbc.inTransaction(connection, c -> {
                    ledger.release(c, noticeId, channel, batch.ids(), 0);
                    return null;
                });
                return;
            }
            lease = Jdbc.inTransaction(connection, c -> ledger.lease(c, pods.id(), noticeId, channel, batch.ids()));
            if (lease.rows().isEmpty()) {
                return;
            }
            jobs = jobs(connection, lease);
        }
        BatchRecorder recorder = new BatchRecorder(lease);
        String down = null;
        String halt = null;
        try {
            sender.send(jobs, recorder);
        } catch (ChannelUnavailableException e) {
            down = e.getMessage();
        } catch (SendingHaltedException e) {
            halt = e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.errorf(e, "Notice %d: a %s batch failed while sending; what was not sent is handed back", noticeId,
                    channel.key());
        }
        // Before the rest is handed back, so that nothing hands it out again in between.
        try {
            if (down != null) {
                health.markDown(channel, down);
            }
            if (halt != null) {
                lifecycle.halt(noticeId, halt);
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "Notice %d: could not pause the %s channel or the notice", noticeId, channel.key());
        }
        recorder.finish();
    }

    private List<DeliveryJob> jobs(Connection connection, DeliveryLedger.Lease lease) throws SQLException {
        Map<String, Recipient> recipients = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(RECIPIENTS)) {
            statement.setLong(1, lease.noticeId());
            statement.setArray(2, connection.createArrayOf("text",
                    lease.rows().stream().map(DeliveryLedger.Leased::customerId).distinct().toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    Recipient recipient = RecipientRows.read(rows, json);
                    recipients.put(recipient.id(), recipient);
                }
            }
        }
        CompiledNotice templates = notices.compiled(lease.noticeId());
        List<DeliveryJob> jobs = new ArrayList<>(lease.rows().size());
        for (DeliveryLedger.Leased row : lease.rows()) {
            jobs.add(new DeliveryJob(lease.noticeId(), row.deliveryId(), row.attempts(), row.destination(),
                    recipients.get(row.customerId()), templates));
        }
        return jobs;
    }

    /**
     * Records a leased batch's outcomes as they are reported: every {@code record-every} outcomes or
     * {@code record-interval}, whichever comes first, so that a pod killed mid-batch sends again only
     * what it had not recorded yet. A write runs beside the sending (the sender does not wait on the
     * database), one at a time: the sender is never more than one write ahead. When a write fails (the
     * database is restarting) sending stops and its outcomes are kept for {@link #finish}.
     */
    private final class BatchRecorder implements OutcomeSink {
        private final DeliveryLedger.Lease lease;
        private final Map<Long, DeliveryLedger.Leased> leased = new HashMap<>();
        private final Set<Long> reported = new HashSet<>();
        private List<Outcome> pending = new ArrayList<>();
        /** Outcomes of writes that failed; written again by finish. */
        private final List<Outcome> unwritten = new CopyOnWriteArrayList<>();
        private CompletableFuture<Void> writing = CompletableFuture.completedFuture(null);
        private long lastWriteNanos = System.nanoTime();
        private volatile boolean unrecordable;

        BatchRecorder(DeliveryLedger.Lease lease) {
            this.lease = lease;
            lease.rows().forEach(row -> leased.put(row.deliveryId(), row));
        }

        @Override
        public void report(Outcome outcome) {
            metrics.outcome(lease.channel(), outcome.kind());
            reported.add(outcome.deliveryId());
            pending.add(outcome);
            if (pending.size() >= config.recordEvery()) {
                writePending();
            }
        }

        /** Also records what waited longer than record-interval: a sender may wait a while for a domain's pace. */
        @Override
        public boolean mayContinue() {
            if (!pending.isEmpty() && System.nanoTime() - lastWriteNanos >= config.recordInterval().toNanos()) {
                writePending();
            }
            return !unrecordable && gate.isOpen(lease.noticeId());
        }

        private void writePending() {
            if (unrecordable) {
                return;
            }
            writing.join();
            List<Outcome> batch = pending;
            pending = new ArrayList<>();
            lastWriteNanos = System.nanoTime();
            writing = CompletableFuture.runAsync(() -> write(batch), recording);
        }

        private void write(List<Outcome> outcomes) {
            try (Connection connection = dataSource.getConnection()) {
                Jdbc.inTransaction(connection, c -> record(c, outcomes));
            } catch (SQLException | RuntimeException e) {
                unwritten.addAll(outcomes);
                unrecordable = true;
                LOG.warnf("Notice %d: cannot record outcomes (%s); sending stops until they are", lease.noticeId(),
                        e.getMessage());
            }
        }

        /** Records outcomes, and the fallbacks of the deliveries that FAILED, in the caller's transaction. */
        private Void record(Connection c, List<Outcome> outcomes) throws SQLException {
            DeliveryLedger.Recorded recorded = ledger.record(c, lease.noticeId(), outcomes, leased);
            fallbacks.after(c, lease.noticeId(), lease.channel(), recorded.failed());
            return null;
        }

        /**
         * Records what is left and hands back what was not attempted, ending the lease; while the database
         * cannot be reached, tries again every second for half of requeue-after. Without this, every send
         * not recorded would be sent again once the lease is taken back.
         */
        void finish() {
            writing.join();
            pending.addAll(unwritten);
            List<Long> unattempted = lease.rows().stream().map(DeliveryLedger.Leased::deliveryId)
                    .filter(id -> !reported.contains(id)).toList();
            long deadline = System.nanoTime() + config.requeueAfter().toNanos() / 2;
            boolean logged = false;
            while (true) {
                try (Connection connection = dataSource.getConnection()) {
                    Jdbc.inTransaction(connection, c -> {
                        record(c, pending);
                        ledger.release(c, lease.noticeId(), lease.channel(), unattempted, lease.id());
                        return null;
                    });
                    if (logged) {
                        LOG.infof("Notice %d: recorded %d outcomes once the database was back", lease.noticeId(),
                                pending.size());
                    }
                    return;
                } catch (SQLException | RuntimeException e) {
                    if (System.nanoTime() > deadline) {
                        LOG.errorf("Notice %d: %d sends could not be recorded; they are sent again once this lease is"
                                + " taken back", lease.noticeId(), pending.size());
                        return;
                    }
                    if (!logged) {
                        LOG.warnf("Notice %d: cannot end a lease (%s); trying every second", lease.noticeId(),
                                e.getMessage());
                        logged = true;
                    }
                }
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
