package dev.herald.dispatch;

import java.sql.Connection;
import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;

import dev.herald.ops.Jdbc;
import io.agroal.api.AgroalDataSource;

/**
 * Whether this pod may send a notice's deliveries now: the notice is DISPATCHING (read at most once
 * per control-poll interval per notice, so a pause reaches every pod within it) and the pod is not
 * stopping. Senders ask before every message.
 */
@ApplicationScoped
public class DeliveryGate {

    private static final Logger LOG = Logger.getLogger(DeliveryGate.class);

    private final AgroalDataSource dataSource;
    private final LoadingCache<Long, Boolean> dispatching;
    private volatile boolean closed;

    DeliveryGate(AgroalDataSource dataSource, DispatchConfig config) {
        this.dataSource = dataSource;
        this.dispatching = Caffeine.newBuilder()
                .expireAfterWrite(config.controlPoll())
                .maximumSize(10_000)
                .build(this::isDispatching);
    }

    /**
     * Whether to send. A status that cannot be read (the database is restarting) closes the gate:
     * what was sent so far can then still be recorded, instead of being lost with an exception
     * thrown in the middle of a batch, and the rest waits until the database answers.
     */
    public boolean isOpen(long noticeId) {
        if (closed) {
            return false;
        }
        try {
            return dispatching.get(noticeId);
        } catch (RuntimeException unreadable) {
            LOG.warnf("Notice %d: cannot read its status (%s); sending stops until it can", noticeId,
                    unreadable.getMessage());
            return false;
        }
    }

    /** From now on nothing more is sent from this pod: it is stopping. */
    public void close() {
        closed = true;
    }

    private boolean isDispatching(long noticeId) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return Boolean.TRUE.equals(Jdbc.queryOne(connection, Boolean.class,
                    "SELECT status = 'DISPATCHING' FROM notice WHERE id = ?", noticeId));
        }
    }
}
