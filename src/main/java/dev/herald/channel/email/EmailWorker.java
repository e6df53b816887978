package dev.herald.channel.email;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.mail.MessagingException;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.delivery.Channel;
import dev.herald.delivery.DeliveryOutcomes;
import dev.herald.delivery.Outcome;
import dev.herald.dispatch.DeliveryBatch;
import dev.herald.dispatch.DeliveryGate;
import dev.herald.dispatch.DispatchConfig;
import dev.herald.dispatch.Dispatcher;
import dev.herald.notice.NoticeService;
import dev.herald.ops.Jdbc;
import dev.herald.render.CompiledNotice;
import dev.herald.render.NoticeRenderer;
import dev.herald.render.Recipient;
import io.agroal.api.AgroalDataSource;
import io.quarkus.qute.TemplateException;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.vertx.core.json.JsonObject;

/**
 * Consumes batches of email deliveries. One transaction per batch locks the rows that are still
 * waiting (never attempted, or claimed for a retry; rows another worker holds are skipped, rows
 * already finished or waiting for a later retry are not selected), renders
 * and sends each message, and writes every outcome before it commits: a re-published batch can
 * therefore never send a delivery that is already SENT.
 */
@ApplicationScoped
public class EmailWorker {

    private static final Logger LOG = Logger.getLogger(EmailWorker.class);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(20);

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    /** A batch's rows that may still be sent: never attempted, or claimed for a retry. */
    private static final String OPEN_ROWS = """
            d.notice_id = ? AND d.id = ANY(?)
               AND (d.status = 'QUEUED' OR (d.status = 'PENDING' AND d.next_attempt_at IS NULL))""";

    private static final String LOAD = """
            SELECT d.id, d.attempts, d.destination, c.id, c.display_name, c.locale, c.country, c.region, c.tags,
                   c.attributes::text, a.variables::text
              FROM delivery d
              JOIN customer c ON c.id = d.customer_id
              LEFT JOIN affected_account a ON a.notice_id = d.notice_id AND a.customer_id = d.customer_id
             WHERE %s
               AND EXISTS (SELECT 1 FROM notice n WHERE n.id = d.notice_id AND n.status = 'DISPATCHING')
             ORDER BY d.id
               FOR UPDATE OF d SKIP LOCKED
            """.formatted(OPEN_ROWS);

    /** The open rows of a batch, locked; rows another worker holds are left to it. */
    private static final String LOCK_OPEN = "SELECT d.id FROM delivery d WHERE " + OPEN_ROWS + " FOR UPDATE SKIP LOCKED";

    private record Job(long deliveryId, int attempts, String destination, Recipient recipient) {
    }

    private final AgroalDataSource dataSource;
    private final NoticeService notices;
    private final NoticeRenderer renderer;
    private final EmailComposer composer;
    private final SmtpSender smtp;
    private final DeliveryOutcomes outcomes;
    private final ObjectMapper json;
    private final DeliveryGate gate;
    private final Dispatcher dispatcher;
    private final Duration requeueAfter;
    /** Batches being delivered now; the shutdown waits for them. */
    private final Phaser inFlight = new Phaser(1);

    EmailWorker(AgroalDataSource dataSource, NoticeService notices, NoticeRenderer renderer, EmailComposer composer,
            SmtpSender smtp, DeliveryOutcomes outcomes, ObjectMapper json, DeliveryGate gate, Dispatcher dispatcher,
            DispatchConfig dispatchConfig) {
        this.requeueAfter = dispatchConfig.requeueAfter();
        this.gate = gate;
        this.dispatcher = dispatcher;
        this.dataSource = dataSource;
        this.notices = notices;
        this.renderer = renderer;
        this.composer = composer;
        this.smtp = smtp;
        this.outcomes = outcomes;
        this.json = json;
    }

    @Incoming("email-work")
    @Blocking(value = "email-senders", ordered = false)
    public void deliver(JsonObject message) throws SQLException {
        // Sending is background work: at the lowest priority (nice 10 under the JVM flags of k8s/herald.yaml)
        // a sender yields the CPU to API calls when a pod is saturated. Without those flags this changes nothing.
        Thread.currentThread().setPriority(Thread.MIN_PRIORITY);
        DeliveryBatch batch = message.mapTo(DeliveryBatch.class);
        inFlight.register();
        Attempted attempted = new Attempted();
        try (Connection connection = dataSource.getConnection()) {
            Jdbc.inTransaction(connection, c -> {
                deliverBatch(c, batch, attempted);
                return null;
            });
        } catch (SQLException | RuntimeException e) {
            // The batch goes back to the queue (failure-strategy=requeue); finished rows are skipped when it returns.
            LOG.warnf(e, "Notice %d: a batch of %d deliveries failed", batch.noticeId(), batch.ids().size());
            if (!attempted.outcomes.isEmpty()) {
                recordAfterFailure(batch.noticeId(), attempted);
            }
            throw e;
        } finally {
            inFlight.arriveAndDeregister();
        }
    }

    /**
     * A pod told to stop sends nothing more: batches being sent stop after their current message and
     * write what they did; what they did not attempt is handed back for another pod. It then waits
     * for them, so that no send goes unrecorded.
     */
    void drain(@Observes @Priority(1) ShutdownEvent event) {
        gate.close();
        try {
            inFlight.awaitAdvanceInterruptibly(inFlight.arrive(), DRAIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("Email batches drained");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            LOG.warnf("Email batches still running after %s; their rows are re-sent after the requeue delay", DRAIN_TIMEOUT);
        }
    }

    /** What a batch sent, kept outside its transaction in case the transaction fails after the sends. */
    private static final class Attempted {
        private List<Outcome> outcomes = List.of();
        private Map<Long, Integer> attempts = Map.of();
    }

    /**
     * The batch's transaction failed after its messages went out (the database restarted, say), and
     * its row locks went with it. Writes the outcomes again on a new connection, for the rows still
     * open, until the database answers or half the requeue delay has passed (after the whole of it
     * the sweeper may publish the rows again). Without this, every such send is sent a second time.
     */
    private void recordAfterFailure(long noticeId, Attempted attempted) {
        List<Long> ids = attempted.outcomes.stream().map(Outcome::deliveryId).toList();
        long deadline = System.nanoTime() + requeueAfter.toNanos() / 2;
        while (System.nanoTime() < deadline) {
            try (Connection connection = dataSource.getConnection()) {
                int written = Jdbc.inTransaction(connection, c -> {
                    Set<Long> open = new HashSet<>();
                    try (PreparedStatement statement = c.prepareStatement(LOCK_OPEN)) {
                        statement.setLong(1, noticeId);
                        statement.setArray(2, c.createArrayOf("bigint", ids.toArray()));
                        try (ResultSet rows = statement.executeQuery()) {
                            while (rows.next()) {
                                open.add(rows.getLong(1));
                            }
                        }
                    }
                    List<Outcome> still = attempted.outcomes.stream().filter(o -> open.contains(o.deliveryId())).toList();
                    outcomes.write(c, noticeId, Channel.EMAIL, still, attempted.attempts);
                    return still.size();
                });
                LOG.infof("Notice %d: recorded %d outcomes of the failed batch on a new connection", noticeId, written);
                return;
            } catch (SQLException | RuntimeException e) {
                LOG.debugf(e, "Notice %d: the database is not back yet", noticeId);
            }
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        LOG.errorf("Notice %d: %d sends could not be recorded; they will be sent again", noticeId, ids.size());
    }

    private void deliverBatch(Connection c, DeliveryBatch batch, Attempted attempted) throws SQLException {
        long noticeId = batch.noticeId();
        List<Job> jobs = gate.isOpen(noticeId) ? load(c, batch) : List.of();
        if (!jobs.isEmpty()) {
            CompiledNotice templates = notices.compiled(noticeId);
            List<SmtpSender.Envelope> envelopes = new ArrayList<>(jobs.size());
            List<Outcome> results = new ArrayList<>(jobs.size());
            Map<Long, Integer> attempts = new HashMap<>();
            for (Job job : jobs) {
                attempts.put(job.deliveryId(), job.attempts());
                try {
                    envelopes.add(new SmtpSender.Envelope(job.deliveryId(), composer.compose(smtp.session(),
                            noticeId, job.deliveryId(), job.destination(), job.recipient().displayName(),
                            renderer.render(templates, job.recipient()))));
                } catch (TemplateException | MessagingException e) {
                    results.add(Outcome.failed(job.deliveryId(), "cannot build the message: " + e.getMessage()));
                }
            }
            try {
                results.addAll(smtp.send(envelopes, () -> gate.isOpen(noticeId)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for an SMTP connection", e);
            }
            attempted.outcomes = results;
            attempted.attempts = attempts;
            outcomes.write(c, noticeId, Channel.EMAIL, results, attempts);
            if (results.size() < jobs.size()) {
                Set<Long> done = results.stream().map(Outcome::deliveryId).collect(Collectors.toSet());
                dispatcher.release(c, noticeId, jobs.stream().map(Job::deliveryId).filter(id -> !done.contains(id)).toList());
            }
        } else if (!gate.isOpen(noticeId)) {
            dispatcher.release(c, noticeId, batch.ids());
        }
    }

    private List<Job> load(Connection connection, DeliveryBatch batch) throws SQLException {
        List<Job> jobs = new ArrayList<>(batch.ids().size());
        try (PreparedStatement statement = connection.prepareStatement(LOAD)) {
            statement.setLong(1, batch.noticeId());
            statement.setArray(2, connection.createArrayOf("bigint", batch.ids().toArray()));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String[] tags = (String[]) rows.getArray(9).getArray();
                    Recipient recipient = new Recipient(rows.getString(4), rows.getString(3), rows.getString(5),
                            rows.getString(6), rows.getString(7), rows.getString(8), Arrays.asList(tags),
                            map(rows.getString(10)), map(rows.getString(11)));
                    jobs.add(new Job(rows.getLong(1), rows.getInt(2), rows.getString(3), recipient));
                }
            }
        }
        return jobs;
    }

    private Map<String, Object> map(String text) {
        try {
            return text == null ? Map.of() : json.readValue(text, MAP);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored JSON is unreadable", e);
        }
    }
}
