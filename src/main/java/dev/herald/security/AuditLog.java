package dev.herald.security;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.annotation.JsonInclude;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.herald.ops.Jdbc;
import io.agroal.api.AgroalDataSource;

/**
 * The audit log: who did what to which notice, when, and from which address. Append-only: this
 * class only inserts, and the table refuses updates and deletes.
 */
@ApplicationScoped
public class AuditLog {

    /** Things worth answering for. */
    public enum Action {
        NOTICE_CREATED,
        NOTICE_PREVIEWED,
        NOTICE_APPROVED,
        NOTICE_DISPATCHED,
        NOTICE_PAUSED,
        NOTICE_RESUMED,
        NOTICE_CANCELLED,
        AFFECTED_UPLOADED,
        CUSTOMERS_IMPORTED,
        SEND_LIMIT_CHANGED,
        EVIDENCE_EXPORTED,
        CONSOLE_SIGNED_IN,
        /** A customer's data was read, in the console or through the API: who looked at whose data. */
        CUSTOMER_VIEWED,
        /** Support read a page of a notice's deliveries or unreached customers through the API. */
        NOTICE_DELIVERIES_READ
    }

    /** Where a customer's data was read. */
    public enum Where {
        CONSOLE("in the console"),
        API("through the API");

        private final String words;

        Where(String words) {
            this.words = words;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "AuditEntry")
    public record Entry(long id, OffsetDateTime at, String actor, String action, Long noticeId, String address,
            String detail) {
    }

    /** One page; pass {@code next} as {@code after} for the following page, absent on the last. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "AuditPage")
    public record Page(List<Entry> items, Long next) {
    }

    private final AgroalDataSource dataSource;
    private final Caller caller;

    AuditLog(AgroalDataSource dataSource, Caller caller) {
        this.dataSource = dataSource;
        this.caller = caller;
    }

    /** Records that the current caller read {@code what} of a customer's data ("devices"). */
    public void customerViewed(String customerId, Long noticeId, String what, Where where) {
        record(Action.CUSTOMER_VIEWED, noticeId, customerId + ": " + what + ", " + where.words);
    }

    /** Records that the current caller read what a delivery sent, as made again for them. */
    public void contentViewed(String customerId, long noticeId, long deliveryId, Where where) {
        customerViewed(customerId, noticeId, "what delivery " + deliveryId + " sent", where);
    }

    /** Records what the current caller did. */
    public void record(Action action, Long noticeId, String detail) {
        record(caller.name(), action, noticeId, detail);
    }

    /** Records what someone not yet authenticated, such as a person signing in, did. */
    public void record(String actor, Action action, Long noticeId, String detail) {
        try (Connection connection = dataSource.getConnection()) {
            Jdbc.update(connection, "INSERT INTO audit_log (actor, action, notice_id, address, detail) VALUES (?, ?, ?, ?, ?)",
                    actor, action.name(), noticeId, caller.address(), detail);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot write the audit log", e);
        }
    }

    /** Newest last, after the id {@code after}; filtered by notice and actor when given. */
    public Page page(Long noticeId, String actor, long after, int limit) {
        String sql = "SELECT id, at, actor, action, notice_id, address, detail FROM audit_log WHERE id > ?"
                + (noticeId == null ? "" : " AND notice_id = ?") + (actor == null ? "" : " AND actor = ?")
                + " ORDER BY id LIMIT ?";
        List<Entry> items = new ArrayList<>();
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            int i = 1;
            statement.setLong(i++, after);
            if (noticeId != null) {
                statement.setLong(i++, noticeId);
            }
            if (actor != null) {
                statement.setString(i++, actor);
            }
            statement.setInt(i, limit + 1);
            try (ResultSet r = statement.executeQuery()) {
                while (r.next()) {
                    items.add(new Entry(r.getLong(1), r.getObject(2, OffsetDateTime.class), r.getString(3), r.getString(4),
                            r.getObject(5, Long.class), r.getString(6), r.getString(7)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the audit log", e);
        }
        boolean more = items.size() > limit;
        List<Entry> page = more ? items.subList(0, limit) : items;
        return new Page(List.copyOf(page), more ? page.get(page.size() - 1).id() : null);
    }
}
