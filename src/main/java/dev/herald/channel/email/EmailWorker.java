package dev.herald.channel.email;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.MessagingException;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.delivery.Channel;
import dev.herald.delivery.DeliveryOutcomes;
import dev.herald.delivery.Outcome;
import dev.herald.dispatch.DeliveryBatch;
import dev.herald.notice.NoticeService;
import dev.herald.ops.Jdbc;
import dev.herald.render.CompiledNotice;
import dev.herald.render.NoticeRenderer;
import dev.herald.render.Recipient;
import io.agroal.api.AgroalDataSource;
import io.quarkus.qute.TemplateException;
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

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private static final String LOAD = """
            SELECT d.id, d.attempts, d.destination, c.id, c.display_name, c.locale, c.country, c.region, c.tags,
                   c.attributes::text, a.variables::text
              FROM delivery d
              JOIN customer c ON c.id = d.customer_id
              LEFT JOIN affected_account a ON a.notice_id = d.notice_id AND a.customer_id = d.customer_id
             WHERE d.notice_id = ? AND d.id = ANY(?)
               AND (d.status = 'QUEUED' OR (d.status = 'PENDING' AND d.next_attempt_at IS NULL))
             ORDER BY d.id
               FOR UPDATE OF d SKIP LOCKED
            """;

    private record Job(long deliveryId, int attempts, String destination, Recipient recipient) {
    }

    private final AgroalDataSource dataSource;
    private final NoticeService notices;
    private final NoticeRenderer renderer;
    private final EmailComposer composer;
    private final SmtpSender smtp;
    private final DeliveryOutcomes outcomes;
    private final ObjectMapper json;

    EmailWorker(AgroalDataSource dataSource, NoticeService notices, NoticeRenderer renderer, EmailComposer composer,
            SmtpSender smtp, DeliveryOutcomes outcomes, ObjectMapper json) {
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
        DeliveryBatch batch = message.mapTo(DeliveryBatch.class);
        CompiledNotice templates = notices.compiled(batch.noticeId());
        try (Connection connection = dataSource.getConnection()) {
            Jdbc.inTransaction(connection, c -> {
                List<Job> jobs = load(c, batch);
                List<SmtpSender.Envelope> envelopes = new ArrayList<>(jobs.size());
                List<Outcome> results = new ArrayList<>(jobs.size());
                Map<Long, Integer> attempts = new HashMap<>();
                for (Job job : jobs) {
                    attempts.put(job.deliveryId(), job.attempts());
                    try {
                        envelopes.add(new SmtpSender.Envelope(job.deliveryId(), composer.compose(smtp.session(),
                                batch.noticeId(), job.deliveryId(), job.destination(), job.recipient().displayName(),
                                renderer.render(templates, job.recipient()))));
                    } catch (TemplateException | MessagingException e) {
                        results.add(Outcome.failed(job.deliveryId(), "cannot build the message: " + e.getMessage()));
                    }
                }
                try {
                    results.addAll(smtp.send(envelopes));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while waiting for an SMTP connection", e);
                }
                outcomes.write(c, batch.noticeId(), Channel.EMAIL, results, attempts);
                return null;
            });
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
