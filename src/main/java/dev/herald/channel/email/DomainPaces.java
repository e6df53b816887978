package dev.herald.channel.email;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.HashMap;
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
 * multiplies the group's pace by {@code decrease} (once a second for the whole fleet, computed by the
 * database from the stored pace, so that two pods never undo each other); once the group has been quiet
 * for {@code quiet}, the pace grows back by {@code increase} of the pace before that deferral per second,
 * and after {@code forget-after} without a deferral the group is no longer paced. Every pod reads the
 * paces every few seconds and takes its share (pace / pods alive). A group without a limit that never
 * deferred has no pace here: its mail goes at the relay's pace, at the cost of one map lookup.
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

        static Row empty(String group) {
            return new Row(group, null, null, null, null, null);
        }
    }

    private static final String ROWS = """
            SELECT domain_group, limit_per_second, learned_per_second, deferring_since, last_deferral_at, last_reply
              FROM email_domain_pace""";

    /**
     * The decrease, from the pace stored (grown back since its last deferral, under the limit), or on a
     * group's first deferral from what it was seen to accept. Parameters: group, minimum, observed,
     * decrease, reply; then minimum, observed, increase / decrease, quiet seconds, decrease, interval.
     */
    private static final String DEFERRED = """
            INSERT INTO email_domain_pace AS p (domain_group, learned_per_second, deferring_since, last_deferral_at, last_reply)
            VALUES (?, greatest(?, ? * ?), now(), now(), ?)
            ON CONFLICT (domain_group) DO UPDATE
               SET learned_per_second = greatest(?, least(coalesce(p.limit_per_second, 'Infinity'),
                       CASE WHEN p.learned_per_second IS NULL THEN ?
                            ELSE p.learned_per_second * (1 + ? * greatest(0, extract(epoch FROM now() - p.last_deferral_at) - ?))
                       END) * ?),
                   last_deferral_at = now(), deferring_since = coalesce(p.deferring_since, now()),
                   last_reply = excluded.last_reply, updated_at = now()
             WHERE p.last_deferral_at IS NULL OR p.last_deferral_at < now() - make_interval(secs => ?)
            """;

    private final AgroalDataSource dataSource;
    private final Pods pods;
    private final PaceConfig config;
    private final MeterRegistry registry;
    private final List<Pattern> deferrals;
    private volatile Map<String, Row> rows = Map.of();
    private final Map<String, DomainPace> paces = new ConcurrentHashMap<>();
    /** When this pod last slowed a group down: the fleet's once-a-second rule, kept here before asking the database. */
    private final Map<String, Long> lastDecreaseNanos = new ConcurrentHashMap<>();
    /** Messages each group accepted in the last second: where a first deferral starts its pace from. */
    private final Cache<String, Meter> accepted = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterAccess(Duration.ofMinutes(1)).build();

    DomainPaces(AgroalDataSource dataSource, Pods pods, PaceConfig config, MeterRegistry registry) {
        if (!(config.decrease() > 0 && config.decrease() < 1) || !(config.minimum() > 0) || config.increase() < 0) {
            throw new IllegalStateException("herald.email.pace: decrease must be between 0 and 1 (exclusive), minimum"
                    + " above 0 and increase at least 0; got " + config.decrease() + ", " + config.minimum() + ", "
                    + config.increase());
        }
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
     * is in force, or on its first deferral from what it accepted in the last second on this pod (the
     * pod's relay pace when it accepted nothing yet), times the pods alive. Returns the group's pace on
     * this pod, in force now.
     */
    public DomainPace deferred(String group, String reply, double podRelayPace) {
        // Tagged by the configured provider groups only: any other domain would make a tag per domain.
        registry.counter("herald.email.pace.deferrals", "group", config.groups().containsKey(group) ? group : "other")
                .increment();
        long now = System.nanoTime();
        Long last = lastDecreaseNanos.get(group);
        DomainPace pace = paces.get(group);
        if (pace != null && last != null && now - last < ONE_DEFERRAL_EVERY.toNanos()) {
            return pace;
        }
        lastDecreaseNanos.put(group, now);
        Meter meter = accepted.getIfPresent(group);
        int seen = meter == null ? 0 : meter.perSecond();
        double observed = (seen > 0 ? seen : podRelayPace) * pods.alive();
        double quiet = config.quiet().toMillis() / 1000.0;
        try (Connection connection = dataSource.getConnection()) {
            if (Jdbc.update(connection, DEFERRED, group, config.minimum(), observed, config.decrease(), reply,
                    config.minimum(), observed, config.increase() / config.decrease(), quiet, config.decrease(),
                    ONE_DEFERRAL_EVERY.toMillis() / 1000.0) > 0) {
                LOG.warnf("%s defers Herald for its pace (%s); slowing it down for the fleet", group, reply);
            }
            refresh();
        } catch (SQLException e) {
            LOG.warnf("Cannot store %s's pace (%s); this pod slows down alone", group, e.getMessage());
            Row row = rows.getOrDefault(group, Row.empty(group));
            Double current = pace(row, OffsetDateTime.now());
            setRow(new Row(group, row.limit(), Math.max(config.minimum(),
                    (current == null ? observed : current) * config.decrease()), OffsetDateTime.now(),
                    OffsetDateTime.now(), reply));
        }
        // Never null: a refresh that read the table before this deferral was committed cannot unpace the group.
        return paces.computeIfAbsent(group, g -> new DomainPace(DomainPace.Rate.fixed(
                Math.max(config.minimum(), observed * config.decrease()) / pods.alive())));
    }

    public List<DomainPaceView> views() {
        Map<String, DomainPaceView> views = new TreeMap<>();
        config.groups().keySet().forEach(group -> views.put(group, view(Row.empty(group))));
        rows.values().forEach(row -> views.put(row.group(), view(row)));
        return List.copyOf(views.values());
    }

    /** A group with a limit, a learned pace or a configured membership. */
    public DomainPaceView view(String group) {
        requireKnown(group);
        return viewOf(group);
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
        requireKnown(group);
        write("UPDATE email_domain_pace SET limit_per_second = NULL, updated_at = now() WHERE domain_group = ?", group);
        return viewOf(group);
    }

    /**
     * Groups quiet for forget-after are no longer paced by what they deferred, and a group with neither
     * a limit nor a learned pace is removed: the table holds the groups paced now, not every one that
     * ever deferred.
     */
    @Scheduled(every = "${herald.limits.refresh}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void forgetQuietGroups() {
        try (Connection connection = dataSource.getConnection()) {
            Jdbc.update(connection, """
                    DELETE FROM email_domain_pace
                     WHERE limit_per_second IS NULL
                       AND (learned_per_second IS NULL OR last_deferral_at < now() - make_interval(secs => ?))""",
                    config.forgetAfter().toMillis() / 1000.0);
            Jdbc.update(connection, """
                    UPDATE email_domain_pace SET learned_per_second = NULL, deferring_since = NULL, updated_at = now()
                     WHERE learned_per_second IS NOT NULL AND last_deferral_at < now() - make_interval(secs => ?)""",
                    config.forgetAfter().toMillis() / 1000.0);
        } catch (SQLException e) {
            LOG.debugf("Cannot forget quiet domain groups (%s); the next pass tries again", e.getMessage());
        }
        refresh();
    }

    /** Reads the paces and applies this pod's share; one at a time, so that an older read never wins. */
    synchronized void refresh() {
        Map<String, Row> read = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(ROWS);
                ResultSet r = statement.executeQuery()) {
            while (r.next()) {
                Row row = new Row(r.getString(1), (Double) r.getObject(2), (Double) r.getObject(3),
                        r.getObject(4, OffsetDateTime.class), r.getObject(5, OffsetDateTime.class), r.getString(6));
                if (row.limit() != null || row.learned() != null) {
                    read.put(row.group(), row);
                }
            }
        } catch (SQLException e) {
            LOG.warnf("Cannot refresh the domain paces (%s); the last ones stay in force", e.getMessage());
            return;
        }
        apply(Map.copyOf(read));
    }

    private synchronized void setRow(Row row) {
        Map<String, Row> copy = new HashMap<>(rows);
        copy.put(row.group(), row);
        apply(Map.copyOf(copy));
    }

    /** Each group's share for this pod. */
    private synchronized void apply(Map<String, Row> read) {
        rows = read;
        int alive = pods.alive();
        paces.keySet().retainAll(read.keySet());
        for (Row row : read.values()) {
            DomainPace.Rate share = share(row, alive);
            paces.computeIfAbsent(row.group(), g -> new DomainPace(share)).rate(share);
        }
    }

    private void write(String sql, Object... params) {
        try (Connection connection = dataSource.getConnection()) {
            Jdbc.update(connection, sql, params);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot store the domain group's limit", e);
        }
        refresh();
    }

    private void requireKnown(String group) {
        if (!rows.containsKey(group) && !config.groups().containsKey(group)) {
            throw new NotFoundException("domain group", group);
        }
    }

    private DomainPaceView viewOf(String group) {
        return view(rows.getOrDefault(group, Row.empty(group)));
    }

    /** The group's pace for the fleet at {@code now}, or null when it is not paced. */
    private Double pace(Row row, OffsetDateTime now) {
        return row.learned() == null && row.limit() == null ? null : share(row, 1).at(now.toInstant());
    }

    /** This pod's part of a group's pace, among {@code alive} pods: the learned pace grown back since, under the limit. */
    private DomainPace.Rate share(Row row, int alive) {
        double cap = row.limit() == null ? Double.MAX_VALUE : row.limit() / alive;
        if (row.learned() == null || row.lastDeferral() == null) {
            return DomainPace.Rate.fixed(cap);
        }
        return new DomainPace.Rate(Math.min(cap, row.learned() / alive), row.lastDeferral().toInstant().plus(config.quiet()),
                row.learned() * config.increase() / config.decrease() / alive, cap);
    }

    private DomainPaceView view(Row row) {
        Double pace = pace(row, OffsetDateTime.now());
        DomainPace here = paces.get(row.group());
        boolean deferring = row.learned() != null;
        String message = deferring ? "%s deferring: pace %d/s since %s".formatted(row.group(), Math.round(pace),
                row.deferringSince().toInstant()) : null;
        return new DomainPaceView(row.group(), row.limit(), pace, deferring, row.deferringSince(), row.lastDeferral(),
                row.lastReply(), here == null ? null : here.perSecond(), message);
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
