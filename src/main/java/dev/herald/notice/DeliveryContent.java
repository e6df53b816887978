package dev.herald.notice;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HexFormat;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.channel.ChannelSender;
import dev.herald.channel.DeliveryJob;
import dev.herald.ops.NotFoundException;
import dev.herald.ops.Sha256;
import dev.herald.render.Recipient;
import dev.herald.render.RecipientRows;
import io.agroal.api.AgroalDataSource;

/**
 * What a delivery sent, made again from the stored notice and customer data by the channel that sent
 * it: the same bytes, so the SHA-256 recorded at sending must match. A mismatch means the customer's
 * data changed since (or the record was tampered with); the answer says which hash is which.
 */
@ApplicationScoped
public class DeliveryContent {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Content(long noticeId, long deliveryId, String customerId, String channel, String status,
            String recordedSha256, String renderedSha256, boolean matches, String content) {

        public Content withoutContent() {
            return new Content(noticeId, deliveryId, customerId, channel, status, recordedSha256, renderedSha256, matches,
                    null);
        }
    }

    private static final String DELIVERY = """
            SELECT d.customer_id, d.channel::text, d.status::text, d.destination, d.attempts, d.content_sha256
              FROM delivery d WHERE d.notice_id = ? AND d.id = ?
            """;
    private static final String RECIPIENT = "SELECT " + RecipientRows.COLUMNS
            + " FROM customer c LEFT JOIN affected_account a ON a.notice_id = ? AND a.customer_id = c.id WHERE c.id = ?";

    private final AgroalDataSource dataSource;
    private final NoticeService notices;
    private final Instance<ChannelSender> senders;
    private final ObjectMapper json;

    DeliveryContent(AgroalDataSource dataSource, NoticeService notices, Instance<ChannelSender> senders,
            ObjectMapper json) {
        this.dataSource = dataSource;
        this.notices = notices;
        this.senders = senders;
        this.json = json;
    }

    /** @param showContent whether the answer may carry the message itself (it holds contact data) */
    public Content of(long noticeId, long deliveryId, boolean showContent) {
        String channel;
        String status;
        byte[] recorded;
        String destination;
        int attempts;
        Recipient recipient;
        try (Connection c = dataSource.getConnection(); PreparedStatement statement = c.prepareStatement(DELIVERY)) {
            statement.setLong(1, noticeId);
            statement.setLong(2, deliveryId);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    throw new NotFoundException("delivery", noticeId + "/" + deliveryId);
                }
                channel = row.getString(2);
                status = row.getString(3);
                recorded = row.getBytes(6);
                attempts = row.getInt(5);
                destination = row.getString(4);
                recipient = recipient(c, noticeId, row.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading delivery " + deliveryId + " failed", e);
        }
        if (destination == null) {
            return new Content(noticeId, deliveryId, recipient.id(), channel, status, null, null, false, null);
        }
        // Compiled after the connection went back: it may read the notice on a connection of its own.
        DeliveryJob job = new DeliveryJob(noticeId, deliveryId, attempts, destination, recipient,
                notices.compiled(noticeId));
        ChannelSender sender = senders.stream().filter(s -> s.channel().name().equals(channel)).findFirst()
                .orElseThrow(() -> new IllegalStateException("No sender for " + channel));
        byte[] content = sender.content(job);
        byte[] rendered = Sha256.of(content);
        return new Content(noticeId, deliveryId, job.recipient().id(), channel, status,
                recorded == null ? null : HexFormat.of().formatHex(recorded),
                HexFormat.of().formatHex(rendered), Arrays.equals(recorded, rendered),
                showContent ? new String(content, StandardCharsets.UTF_8) : null);
    }

    private Recipient recipient(Connection c, long noticeId, String customerId) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(RECIPIENT)) {
            statement.setLong(1, noticeId);
            statement.setString(2, customerId);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    throw new NotFoundException("customer", customerId);
                }
                return RecipientRows.read(row, json);
            }
        }
    }
}
