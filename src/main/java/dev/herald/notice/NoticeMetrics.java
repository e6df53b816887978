package dev.herald.notice;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.scheduler.Scheduled;

/**
 * The fleet's state as meters, read from PostgreSQL every few seconds (not on each scrape): notices by
 * status, deliveries handed to the broker and not yet sent per channel (the queue's depth, in
 * deliveries), and for each running notice what remains and its rate. Every pod reports the same
 * fleet-wide values: aggregate them with max.
 */
@ApplicationScoped
public class NoticeMetrics {

    private static final Logger LOG = Logger.getLogger(NoticeMetrics.class);
    private static final String RUNNING = """
            SELECT n.id, coalesce(sum(dc.count) FILTER (WHERE dc.status IN ('PENDING', 'QUEUED')), 0),
                   coalesce(sum(dc.count) FILTER (WHERE dc.status NOT IN ('PENDING', 'QUEUED')), 0),
                   greatest(extract(epoch FROM now() - n.dispatched_at), 1)
              FROM notice n LEFT JOIN delivery_count dc ON dc.notice_id = n.id
             WHERE n.status IN ('DISPATCHING', 'PAUSED')
             GROUP BY n.id, n.dispatched_at
            """;

    private final AgroalDataSource dataSource;
    private final MeterRegistry registry;
    private final Map<String, AtomicLong> notices = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> queued = new ConcurrentHashMap<>();
    private final MultiGauge remaining;
    private final MultiGauge rate;

    NoticeMetrics(AgroalDataSource dataSource, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.registry = registry;
        for (NoticeStatus status : NoticeStatus.values()) {
            notices.put(status.name(), gauge("herald.notices", "Notices by status", "status", status.name()));
        }
        this.remaining = MultiGauge.builder("herald.notice.remaining")
                .description("Deliveries of a running notice not finished yet").register(registry);
        this.rate = MultiGauge.builder("herald.notice.rate")
                .description("Deliveries of a running notice finished per second since dispatch").register(registry);
    }

    private AtomicLong gauge(String name, String description, String tag, String value) {
        AtomicLong holder = new AtomicLong();
        Gauge.builder(name, holder, AtomicLong::get).description(description).tag(tag, value).register(registry);
        return holder;
    }

    @Scheduled(every = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try (Connection c = dataSource.getConnection()) {
            notices.values().forEach(n -> n.set(0));
            read(c, "SELECT status, count(*) FROM notice GROUP BY status",
                    r -> notices.get(r.getString(1)).set(r.getLong(2)));
            queued.values().forEach(q -> q.set(0));
            read(c, "SELECT lower(channel::text), sum(count) FROM delivery_count WHERE status = 'QUEUED' GROUP BY channel",
                    r -> queued.computeIfAbsent(r.getString(1), channel -> gauge("herald.deliveries.queued",
                            "Deliveries handed to the broker and not sent yet", "channel", channel)).set(r.getLong(2)));
            List<MultiGauge.Row<?>> left = new ArrayList<>();
            List<MultiGauge.Row<?>> pace = new ArrayList<>();
            read(c, RUNNING, r -> {
                Tags notice = Tags.of("notice", r.getString(1));
                left.add(MultiGauge.Row.of(notice, r.getLong(2)));
                pace.add(MultiGauge.Row.of(notice, r.getLong(3) / r.getDouble(4)));
            });
            remaining.register(left, true);
            rate.register(pace, true);
        } catch (SQLException e) {
            LOG.debugf("Metrics not refreshed: %s", e.getMessage());
        }
    }

    private interface Row {
        void read(ResultSet row) throws SQLException;
    }

    private static void read(Connection c, String sql, Row each) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(sql); ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                each.read(rows);
            }
        }
    }
}
