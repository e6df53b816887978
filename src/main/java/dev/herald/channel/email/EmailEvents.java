package dev.herald.channel.email;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.herald.delivery.DeliveryChannel;
import dev.herald.delivery.DeliveryLedger;
import dev.herald.dispatch.Fallbacks;
import dev.herald.notice.NoticeLifecycle;
import dev.herald.delivery.DeliveryStatus;
import dev.herald.ops.Jdbc;
import io.agroal.api.AgroalDataSource;

/**
 * Applies provider events, each in one transaction with its record in provider_event, so that a
 * replayed event finds its record and changes nothing. A delivery moves SENT to DELIVERED, or SENT or
 * DELIVERED to BOUNCED; any other move is recorded on the timeline and not applied. A hard bounce
 * or a complaint puts the address on the suppression list. A bounce of a notice that falls back from
 * email gets its fallback.
 */
@ApplicationScoped
public class EmailEvents {

    private static final Logger LOG = Logger.getLogger(EmailEvents.class);

    /** What became of an event. */
    public enum Result {
        APPLIED,
        /** Recorded on the timeline; the delivery's status could not take it (a late delivery report after a bounce). */
        RECORDED,
        DUPLICATE,
        UNKNOWN_DELIVERY
    }

    private static final String SUPPRESS = """
            INSERT INTO suppressed_address (address, reason, detail, notice_id, delivery_id)
            SELECT lower(destination), ?, ?, notice_id, id FROM delivery
             WHERE notice_id = ? AND id = ? AND destination IS NOT NULL
            ON CONFLICT (address) DO NOTHING
            """;

    private final AgroalDataSource dataSource;
    private final DeliveryLedger ledger;
    private final Fallbacks fallbacks;
    private final NoticeLifecycle lifecycle;

    EmailEvents(AgroalDataSource dataSource, DeliveryLedger ledger, Fallbacks fallbacks, NoticeLifecycle lifecycle) {
        this.dataSource = dataSource;
        this.ledger = ledger;
        this.fallbacks = fallbacks;
        this.lifecycle = lifecycle;
    }

    public Result apply(EmailEvent event) {
        long[] fellBack = new long[1];
        Result result;
        try (Connection connection = dataSource.getConnection()) {
            result = Jdbc.inTransaction(connection, c -> {
                Result applied = apply(c, event);
                if (applied == Result.APPLIED && event.kind() == EmailEvent.Kind.BOUNCED) {
                    fellBack[0] = fallbacks.after(c, event.delivery().noticeId(), DeliveryChannel.EMAIL,
                            List.of(event.delivery().deliveryId()));
                }
                return applied;
            });
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot apply provider event " + event.eventId(), e);
        }
        if (fellBack[0] > 0) {
            // A bounce can come after the notice completed: its fallback must still be sent.
            lifecycle.reopen(event.delivery().noticeId());
        }
        return result;
    }

    private Result apply(Connection c, EmailEvent event) throws SQLException {
        if (Jdbc.update(c, "INSERT INTO provider_event (source, event_id, outcome) VALUES (?, ?, 'PENDING')"
                + " ON CONFLICT DO NOTHING", event.source(), event.eventId()) == 0) {
            return Result.DUPLICATE;
        }
        Result result = applyNew(c, event);
        Jdbc.update(c, "UPDATE provider_event SET outcome = ? WHERE source = ? AND event_id = ?", result.name(),
                event.source(), event.eventId());
        return result;
    }

    private Result applyNew(Connection c, EmailEvent event) throws SQLException {
        EmailEvent.DeliveryRef ref = event.delivery();
        if (ref == null || Jdbc.queryOne(c, Long.class, "SELECT id FROM delivery WHERE notice_id = ? AND id = ?",
                ref.noticeId(), ref.deliveryId()) == null) {
            LOG.warnf("Provider event %s/%s is about %s, which is no delivery of Herald's; answered and ignored",
                    event.source(), event.eventId(), event.reference());
            return Result.UNKNOWN_DELIVERY;
        }
        String detail = event.detail();
        Result result = switch (event.kind()) {
            case DELIVERED -> move(c, ref, DeliveryStatus.DELIVERED, null, DeliveryStatus.SENT);
            case BOUNCED -> move(c, ref, DeliveryStatus.BOUNCED,
                    (event.permanent() ? "hard bounce: " : "soft bounce: ") + detail,
                    DeliveryStatus.SENT, DeliveryStatus.DELIVERED);
            case COMPLAINED -> Result.APPLIED;
        };
        if (event.kind() == EmailEvent.Kind.COMPLAINED || event.kind() == EmailEvent.Kind.BOUNCED && event.permanent()) {
            Jdbc.update(c, SUPPRESS, event.kind() == EmailEvent.Kind.COMPLAINED ? "COMPLAINT" : "HARD_BOUNCE", detail,
                    ref.noticeId(), ref.deliveryId());
        }
        String kind = switch (event.kind()) {
            case DELIVERED -> "DELIVERED";
            case BOUNCED -> event.permanent() ? "HARD_BOUNCE" : "SOFT_BOUNCE";
            case COMPLAINED -> "COMPLAINT";
        };
        ledger.addEvent(c, ref.noticeId(), ref.deliveryId(), kind, event.source() + " " + event.eventId()
                + (detail == null ? "" : ": " + detail));
        return result;
    }

    private Result move(Connection c, EmailEvent.DeliveryRef ref, DeliveryStatus to, String error,
            DeliveryStatus... from) throws SQLException {
        return ledger.applyProviderEvent(c, ref.noticeId(), ref.deliveryId(), to, error, List.of(from))
                ? Result.APPLIED : Result.RECORDED;
    }
}
