package dev.herald.channel.email;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.herald.delivery.Progress;
import dev.herald.ops.Jdbc;
import dev.herald.ops.NotFoundException;
import dev.herald.ops.Pods;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;

/**
 * The pace of each receiving domain group for the whole fleet (email_domain_pace, written only here):
 * an operator's limit, and what the group's deferrals taught. A deferral for the sender's pace
 * multiplies the group's pace by {@code decrease} (once a second for the whole fleet); once the group
 * has been quiet for {@code quiet}, the pace grows back by {@code increase} of that pace per second, and
 * after {@code forget-after} without a deferral the group is no longer paced. Every pod reads the paces
 * every few seconds and takes its share (pace / pods alive). A group without a limit that never deferred
 * has no pace here: its mail goes at the relay's pace, at the cost of one map lookup.
 */
@ApplicationScoped
public class DomainPaces {

    private static final Logger LOG = Logger.getLogger(DomainPaces.class);
    private static final Duration ONE_DEFERRAL_EVERY = Duration.ofSeconds(1);

    /** A group's pace for the fleet: what an operator set, what was learned, and what is in force now. */
    public record DomainPaceView(String group, Double limitPerSecond, Double pacePerSecond, boolean deferring,
            OffsetDateTime deferringSince, OffsetDateTime lastDeferralAt, String lastReply, Double podPerSecond,
            String message) {
    }

    private record Row(String group, Double limit, Double learned, OffsetDateTime deferringSince,
            OffsetDateTime lastDeferral, String lastReply) {
    }

    private static final String ROWS = """
            SELECT domain_group, limit_per_second, learned_per_second, deferring_since, last_deferral_at, last_reply
              FROM email_domain_pace""";

    private static final String DEFERRED = """
            INSERT INTO email_domain_pace AS p (domain_group, learned_per_second, deferring_since, last_deferral_at, last_reply)
            VALUES (?, ?, now(), now(), ?)
            ON CONFLICT (domain_group) DO UPDATE
               SET learned_per_second = excluded.learned_per_second, last_deferral_at = now(),
                   deferring_since = coalesce(p.deferring_since, now()), last_reply = excluded.last_reply, updated_at = now()
             WHERE p.last_deferral_at IS NULL OR p.last_deferral_at < now() - make_interval(secs => ?)
            """;

    private final AgroalDataSource dataSource;
    private final Pods pods;
    private final PaceConfig config;
    private final MeterRegistry registry;
    private final List<Pattern> deferrals;
    private volatile Map<String, Row> rows = Map.of();
    private final Map<String, DomainPace> paces = new ConcurrentHashMap<>();
    /** Messages each group accepted in the last second or so: where a first deferral starts its pace from. */
    private final Cache<String, Meter> accepted = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterAccess(Duration.ofMinutes(1)).build();

    DomainPaces(AgroalDataSource dataSource, Pods pods, PaceConfig config, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.pods = pods;
        this.config = config;
        this.registry = registry;
        this.deferrals = config.deferralPatterns().stream()
                .map(p -> Pattern.compile(p, Pattern.CASE_INSENSITIVE)).toList();
    }

    /** The group's pace on this pod, or null when the group is not paced. */
    public DomainPace of(String group) {
        return paces.get(group);
    }

    /** Whether a reply defers the message for the sender's pace, not for a reason of the recipient's. */
    public boolean saysTooFast(int code, String reply) {
        return (code == 421 || code == 450 || code == 451) && deferrals.stream().anyMatch(p -> p.matcher(reply).find());
    }

    /** The group accepted a message. */
    public void accepted(String group) {
        accepted.get(group, g -> new Meter()).add();
    }

    /**
     * The group deferred a message for the sender's pace: its pace drops for the whole fleet, from what
     * is in force (or from what it accepted in the last second, on its first deferral). Returns the
     * group's pace on this pod, in force now.
     */
    public DomainPace deferred(String group, String reply) {
        // Tagged by the configured provider groups only: any other domain would make a tag per domain.
        registry.counter("herald.email.pace.deferrals", "group", config.groups().containsKey(group) ? group : "other")
                .increment();
        Row row = rows.get(group);
        Double current = row == null ? null : pace(row, OffsetDateTime.now());
        if (current == null) {
            Meter meter = accepted.getIfPresent(group);
            current = Math.max(config.minimum(), (meter == null ? 0 : meter.perSecond()) * pods.alive());
        }
        double slower = Math.max(config.minimum(), current * config.decrease());
        try (Connection connection = dataSource.getConnection()) {
            if (Jdbc.update(connection, DEFERRED, group, slower, reply, ONE_DEFERRAL_EVERY.toMillis() / 1000.0) > 0) {
                LOG.warnf("%s defers Herald for its pace (%s); pace %.1f/s for the fleet", group, reply, slower);
            }
        } catch (SQLException e) {
            LOG.warnf("Cannot store %s's pace (%s); this pod slows down alone", group, e.getMessage());
            rows = with(rows, new Row(group, row == null ? null : row.limit(), slower, OffsetDateTime.now(),
                    OffsetDateTime.now(), reply));
            apply();
            return paces.get(group);
        }
        refresh();
        return paces.get(group);
    }

    public List<DomainPaceView> views() {
        Map<String, DomainPaceView> views = new TreeMap<>();
        config.groups().keySet().forEach(group -> views.put(group, view(new Row(group, null, null, null, null, null))));
        rows.values().forEach(row -> views.put(row.group(), view(row)));
        return List.copyOf(views.values());
    }

    /** A group with a limit, a learned pace or a configured membership. */
    public DomainPaceView view(String group) {
        if (!rows.containsKey(group) && !config.groups().containsKey(group)) {
            throw new NotFoundException("domain group", group);
        }
        return viewOf(group);
    }

    private DomainPaceView viewOf(String group) {
        Row row = rows.get(group);
        return view(row != null ? row : new Row(group, null, null, null, null, null));
    }

    /** The groups deferring Herald now, slowest first, for the progress answer. */
    public List<Progress.DeferringDomain> deferring() {
        return rows.values().stream().filter(row -> row.learned() != null).map(this::view)
                .sorted(Comparator.comparing(DomainPaceView::pacePerSecond))
                .map(v -> new Progress.DeferringDomain(v.group(), v.pacePerSecond(), v.deferringSince(), v.lastReply(),
                        v.message()))
                .toList();
    }

    /** Sets an operator's limit for a group, for the whole fleet; this pod applies it now, the others within seconds. */
    public DomainPaceView limit(String group, double messagesPerSecond) {
        write("""
                INSERT INTO email_domain_pace AS p (domain_group, limit_per_second) VALUES (?, ?)
                ON CONFLICT (domain_group) DO UPDATE SET limit_per_second = excluded.limit_per_second, updated_at = now()
                """, group, messagesPerSecond);
        return viewOf(group);
    }

    /** Removes an operator's limit for a group; what its deferrals taught stays. */
    public DomainPaceView unlimit(String group) {
        view(group);
        write("UPDATE email_domain_pace SET limit_per_second = NULL, updated_at = now() WHERE domain_group = ?", group);
        return viewOf(group);
    }

    private void write(String sql, Object... params) {
        try (Connection connection = dataSource.getConnection()) {
            Jdbc.update(connection, sql, params);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot store the domain group's limit", e);
        }
        refresh();
    }

    @Scheduled(every = "${herald.limits.refresh}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try (Connection connection = dataSource.getConnection()) {
            Jdbc.update(connection, """
                    UPDATE email_domain_pace SET learned_per_second = NULL, deferring_since = NULL, updated_at = now()
                     WHERE learned_per_second IS NOT NULL AND last_deferral_at < now() - make_interval(secs => ?)""",
                    config.forgetAfter().toMillis() / 1000.0);
            Map<String, Row> read = new ConcurrentHashMap<>();
            try (PreparedStatement statement = connection.prepareStatement(ROWS); ResultSet r = statement.executeQuery()) {
                while (r.next()) {
                    Row row = new Row(r.getString(1), (Double) r.getObject(2), (Double) r.getObject(3),
                            r.getObject(4, OffsetDateTime.class), r.getObject(5, OffsetDateTime.class), r.getString(6));
                    if (row.limit() != null || row.learned() != null) {
                        read.put(row.group(), row);
                    }
                }
            }
            rows = read;
        } catch (SQLException e) {
            LOG.warnf("Cannot refresh the domain paces (%s); the last ones stay in force", e.getMessage());
        }
        apply();
    }

    /** Each group's share for this pod, from the rows as last read. */
    private void apply() {
        int alive = pods.alive();
        paces.keySet().retainAll(rows.keySet());
        for (Row row : rows.values()) {
            DomainPace.Rate share = share(row, alive);
            paces.computeIfAbsent(row.group(), g -> new DomainPace(g, share)).rate(share);
        }
    }

    /** The group's pace for the fleet at {@code now}: the learned one grown back since the last deferral, under the limit. */
    private Double pace(Row row, OffsetDateTime now) {
        return row.learned() == null && row.limit() == null ? null : share(row, 1).at(now.toInstant());
    }

    /** This pod's part of a group's pace, among {@code alive} pods. */
    private DomainPace.Rate share(Row row, int alive) {
        double cap = row.limit() == null ? Double.MAX_VALUE : row.limit() / alive;
        if (row.learned() == null || row.lastDeferral() == null) {
            return DomainPace.Rate.fixed(cap);
        }
        return new DomainPace.Rate(Math.min(cap, row.learned() / alive), row.lastDeferral().toInstant().plus(config.quiet()),
                row.learned() * config.increase() / alive, cap);
    }

    private DomainPaceView view(Row row) {
        Double pace = pace(row, OffsetDateTime.now());
        DomainPace here = paces.get(row.group());
        boolean deferring = row.learned() != null;
        String message = deferring ? "%s deferring: pace %s/s since %s".formatted(row.group(), Math.round(pace),
                row.deferringSince().toInstant()) : null;
        return new DomainPaceView(row.group(), row.limit(), pace, deferring, row.deferringSince(), row.lastDeferral(),
                row.lastReply(), here == null ? null : here.perSecond(), message);
    }

    private static Map<String, Row> with(Map<String, Row> rows, Row row) {
        Map<String, Row> copy = new ConcurrentHashMap<>(rows);
        copy.put(row.group(), row);
        return copy;
    }

    /** Counts over the last second, in tenths of a second. */
    private static final class Meter {
        private static final long TENTH = 100_000_000L;
        private final int[] tenths = new int[10];
        private long last = System.nanoTime() / TENTH;

        synchronized void add() {
            roll();
            tenths[(int) (last % 10)]++;
        }

        synchronized int perSecond() {
            roll();
            int sum = 0;
            for (int n : tenths) {
                sum += n;
            }
            return sum;
        }

        private void roll() {
            long now = System.nanoTime() / TENTH;
            for (long t = Math.max(last + 1, now - 9); t <= now; t++) {
                tenths[(int) (t % 10)] = 0;
            }
            last = Math.max(last, now);
        }
    }
}
