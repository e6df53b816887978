package dev.herald.delivery;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.ops.Jdbc;

/**
 * The only code that writes {@code delivery}, {@code delivery_count}, the dispatch cursors, windows
 * and leases. Every change is a named transition that computes its own counter deltas, inside the
 * caller's transaction (each method takes the caller's connection, already in a transaction when
 * the transition has more than one statement).
 *
 * <p>How a delivery row reads (the QUEUED rule lives in {@link #state}, and only there):
 * <ul>
 * <li>PENDING, next_attempt_at NULL, id beyond its channel's cursor: planned, not handed out (PENDING);</li>
 * <li>PENDING, next_attempt_at NULL, id at or before the cursor: handed to the broker in a window,
 * the row itself not rewritten (QUEUED);</li>
 * <li>PENDING, next_attempt_at set: waiting for its retry (PENDING);</li>
 * <li>QUEUED: a retry claimed and handed to the broker (QUEUED);</li>
 * <li>anything else is final.</li>
 * </ul>
 * A worker holds the rows it sends through a lease (a {@code delivery_lease} row naming its pod); the
 * rows stay as they are until their outcomes are recorded.
 */
@ApplicationScoped
public class DeliveryLedger {

    /** A delivery's id is its plan chunk's block (chunk number shifted left) plus its row number in the chunk. */
    public static final int CHUNK_BITS = 24;

    /** One leased batch: which pod holds which deliveries of a notice on a channel. */
    public record Lease(long id, long noticeId, DeliveryChannel channel, List<Leased> rows) {
    }

    /** A leased delivery, as the sender needs it. */
    public record Leased(long deliveryId, int attempts, int deferrals, String customerId, String destination) {
    }

    /** A lease whose pod stopped beating, taken back. */
    public record TakenBack(long noticeId, DeliveryChannel channel, int deliveries) {
    }

    /**
     * The status a caller sees, for a delivery aliased {@code d} joined to its cursor aliased {@code dc}
     * ({@link #CURSOR_JOIN}): a never-attempted delivery behind its channel's cursor is QUEUED.
     */
    public static String state(String d, String dc) {
        return stateAgainst(d, dc + ".position");
    }

    /** As {@link #state(String, String)}, against a cursor given as an SQL expression. */
    private static String stateAgainst(String d, String cursor) {
        return "(CASE WHEN " + d + ".status = 'PENDING' AND " + d + ".next_attempt_at IS NULL AND " + d
                + ".id <= coalesce(" + cursor + ", 0) THEN 'QUEUED'::delivery_status ELSE " + d + ".status END)";
    }

    /** Joins a delivery aliased {@code d} to its channel's dispatch cursor, aliased {@code dc}. */
    public static final String CURSOR_JOIN = " LEFT JOIN dispatch_cursor dc ON dc.notice_id = d.notice_id AND dc.channel = d.channel";

    /** A cursor past every row: a leased row was handed out, whatever its channel's cursor says now. */
    private static final String LEASED = "9223372036854775807";

    /** The leases of one notice and channel (two placeholders), for {@link #unleased}. */
    private static final String CHANNEL_LEASES = "l.notice_id = ? AND l.channel = ?::delivery_channel";

    /** The leases of one notice (a placeholder), for {@link #unleased}. */
    private static final String NOTICE_LEASES = "l.notice_id = ?";

    /** Rows that may still be sent, in the terms of {@link #state}. */
    private static final String OPEN = state("d", "dc") + " = 'QUEUED'";

    private static final String PLAN = """
            WITH audience AS (%s),
                 destinations (customer_id, channel, destination, skip_reason) AS (%s)
            INSERT INTO delivery (notice_id, id, customer_id, channel, status, destination, last_error)
            SELECT ?, ? + row_number() OVER (), customer_id, channel,
                   CASE WHEN skip_reason IS NULL THEN 'PENDING' ELSE 'SKIPPED' END::delivery_status,
                   destination, skip_reason
              FROM destinations
            """;

    /**
     * What a chunk planned, read back from its id block (in cache): cheaper than having the insert
     * return every row it made.
     */
    private static final String PLANNED = """
            SELECT channel::text, status::text, count(*), max(id) FROM delivery
             WHERE notice_id = ? AND id BETWEEN ? AND ? GROUP BY 1, 2
            """;

    private static final String NEXT_WINDOW = """
            SELECT id FROM delivery
             WHERE notice_id = ? AND channel = ?::delivery_channel AND id > ? AND id <= ?
               AND status = 'PENDING' AND next_attempt_at IS NULL
             ORDER BY id LIMIT ?
            """;

    /**
     * The candidates are picked once, in a CTE of their own: as an IN (subquery) with LIMIT and a row
     * lock, PostgreSQL ran the subquery again for every row of the notice.
     */
    private static final String CLAIM_RETRIES = """
            WITH due AS MATERIALIZED (
                   SELECT id FROM delivery
                    WHERE notice_id = ? AND channel = ?::delivery_channel AND status = 'PENDING' AND next_attempt_at <= now()
                      AND %s
                    ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED),
                 claimed AS (
                   UPDATE delivery d SET status = 'QUEUED', updated_at = now()
                     FROM due WHERE d.notice_id = ? AND d.id = due.id
                   RETURNING d.id, d.waiting_for IS NOT NULL AS paced)
            SELECT id, paced FROM claimed ORDER BY id
            """.formatted(unleased("id", CHANNEL_LEASES));

    /**
     * The lease itself, after its advisory lock (a statement of its own, so that this one's snapshot sees
     * every lease committed before the lock was granted): the notice read under a share lock, so that a
     * cancel waits for this claim and then leaves its rows to the worker; the rows of the batch still
     * open and held by no lease (only the leases whose first and last ids overlap the batch's are
     * unnested); and the lease row naming them. Returns the lease's id on each row.
     */
    private static final String LEASE = """
            WITH dispatching AS (SELECT 1 FROM notice WHERE id = ? AND status = 'DISPATCHING' FOR SHARE),
                 open AS (
                   SELECT d.id, d.attempts, coalesce(d.deferrals, 0) AS deferrals, d.customer_id, d.destination
                     FROM delivery d %s
                    WHERE EXISTS (SELECT 1 FROM dispatching)
                      AND d.notice_id = ? AND d.channel = ?::delivery_channel AND d.id = ANY(?) AND %s AND %s),
                 lease AS (
                   INSERT INTO delivery_lease (pod, notice_id, channel, ids, first_id, last_id)
                   SELECT ?, ?, ?::delivery_channel, array_agg(id ORDER BY id), min(id), max(id) FROM open
                   HAVING count(*) > 0
                   RETURNING id)
            SELECT lease.id, open.* FROM open, lease ORDER BY open.id
            """.formatted(CURSOR_JOIN, OPEN,
            unleased("d.id", CHANNEL_LEASES + " AND l.first_id <= ? AND l.last_id >= ?"));

    /**
     * Writes outcomes on the rows still open, their timeline events and their counters, in one
     * statement (it runs every few messages of every batch). An accepted message also lands on a row
     * cancelled meanwhile, because it did reach the customer: a second update takes those, looking only
     * at the accepted outcomes the first did not take (usually none), so that no row is read twice.
     * Each update knows the state its rows were in, for the counters. Returns how many rows took their
     * outcome.
     */
    private static final String RECORD = """
            WITH v AS (
                   SELECT * FROM unnest(?::bigint[], ?::delivery_status[], ?::timestamptz[], ?::text[], ?::text[], ?::text[],
                                        ?::bytea[], ?::int[], ?::text[], ?::int[])
                          AS v(id, status, next_attempt_at, error, provider_id, event, content, attempted, waiting_for,
                               deferred)),
                 open AS (
                   UPDATE delivery d SET %1$s FROM v
                    WHERE d.notice_id = ? AND d.id = v.id AND %2$s = 'QUEUED'
                   RETURNING d.id, d.channel, 'QUEUED'::delivery_status AS was, v.status AS now, v.event, v.error),
                 cancelled AS (
                   UPDATE delivery d SET %1$s
                     FROM (SELECT * FROM v WHERE v.status = 'SENT' AND v.id NOT IN (SELECT id FROM open)) v
                    WHERE d.notice_id = ? AND d.id = v.id AND d.status = 'CANCELLED'
                   RETURNING d.id, d.channel, 'CANCELLED'::delivery_status AS was, v.status AS now, v.event, v.error),
                 moved AS (SELECT * FROM open UNION ALL SELECT * FROM cancelled),
                 ev AS (
                   INSERT INTO delivery_event (notice_id, delivery_id, kind, detail)
                   SELECT ?, id, event, error FROM moved WHERE event IS NOT NULL),
                 counted AS (
                   INSERT INTO delivery_count AS dc (notice_id, channel, status, count, first_at, last_at)
                   SELECT ?, channel, status, sum(n), CASE WHEN sum(n) > 0 THEN now() END,
                          CASE WHEN sum(n) > 0 THEN now() END
                     FROM (SELECT channel, was AS status, -1 AS n FROM moved
                           UNION ALL SELECT channel, now, 1 FROM moved) m
                    GROUP BY channel, status HAVING sum(n) <> 0 ORDER BY channel, status
                   ON CONFLICT (notice_id, channel, status) DO UPDATE SET count = dc.count + excluded.count,
                          first_at = coalesce(dc.first_at, excluded.first_at),
                          last_at = coalesce(excluded.last_at, dc.last_at))
            SELECT count(*), coalesce(array_agg(id) FILTER (WHERE now = 'FAILED'), '{}') FROM moved
            """.formatted("""
                    status = v.status, attempts = d.attempts + v.attempted, updated_at = now(),
                          next_attempt_at = v.next_attempt_at, last_error = v.error, waiting_for = v.waiting_for,
                          deferrals = CASE WHEN v.deferred = 1 THEN coalesce(d.deferrals, 0) + 1 ELSE d.deferrals END,
                          provider_message_id = coalesce(v.provider_id, d.provider_message_id),
                          content_sha256 = coalesce(v.content, d.content_sha256)""", stateAgainst("d", LEASED));

    private static final String FALLBACK = """
            WITH ended AS (
                   SELECT DISTINCT ON (d.customer_id) d.id, d.customer_id, d.channel FROM delivery d
                    WHERE d.notice_id = ? AND d.id = ANY(?) AND d.status IN ('FAILED', 'BOUNCED', 'SKIPPED')
                      AND NOT EXISTS (SELECT 1 FROM delivery s
                                       WHERE s.customer_id = d.customer_id AND s.notice_id = d.notice_id
                                         AND s.channel = d.channel AND s.status NOT IN ('FAILED', 'BOUNCED', 'SKIPPED'))
                    ORDER BY d.customer_id, d.id),
                 audience AS (SELECT c.* FROM customer c JOIN ended e ON e.customer_id = c.id),
                 destinations (customer_id, destination, skip_reason) AS (%s),
                 made AS (
                   INSERT INTO delivery (notice_id, customer_id, channel, status, destination, last_error,
                                         next_attempt_at, fallback_of)
                   SELECT ?, x.customer_id, ?::delivery_channel,
                          CASE WHEN x.skip_reason IS NULL THEN 'PENDING' ELSE 'SKIPPED' END::delivery_status,
                          x.destination, x.skip_reason, CASE WHEN x.skip_reason IS NULL THEN now() END, e.id
                     FROM destinations x JOIN ended e ON e.customer_id = x.customer_id
                   ON CONFLICT DO NOTHING
                   RETURNING status, fallback_of),
                 noted AS (
                   INSERT INTO delivery_event (notice_id, delivery_id, kind, detail)
                   SELECT DISTINCT ?, fallback_of, 'FALLBACK', 'sent by ' || lower(?) || ' instead' FROM made)
            SELECT status::text, count(*) FROM made GROUP BY 1
            """;

    /** Retry claims among the given rows go back to waiting, due at once; returns how many. */
    private static final String UNCLAIM = """
            UPDATE delivery SET status = 'PENDING', next_attempt_at = now(), updated_at = now()
             WHERE notice_id = ? AND id = ANY(?) AND status = 'QUEUED'
            """;

    private static final String CANCEL = """
            WITH waiting AS (
                   SELECT d.id, d.channel, %s AS state FROM delivery d %s
                    WHERE d.notice_id = ? AND d.status IN ('PENDING', 'QUEUED')
                      AND %s
                      FOR UPDATE OF d),
                 cancelled AS (
                   UPDATE delivery d
                      SET status = 'CANCELLED', next_attempt_at = NULL, updated_at = now(), last_error = 'notice cancelled'
                     FROM waiting WHERE d.notice_id = ? AND d.id = waiting.id
                   RETURNING waiting.channel, waiting.state)
            SELECT channel::text, state::text, count(*) FROM cancelled GROUP BY 1, 2
            """.formatted(state("d", "dc"), CURSOR_JOIN, unleased("d.id", NOTICE_LEASES));

    private static final String MOVE = """
            UPDATE delivery d SET status = ?::delivery_status, updated_at = now(), last_error = coalesce(?, d.last_error)
              FROM (SELECT id, status, channel FROM delivery
                     WHERE notice_id = ? AND id = ? AND status = ANY(?::delivery_status[]) FOR UPDATE) old
             WHERE d.notice_id = ? AND d.id = old.id
            RETURNING old.channel::text, old.status::text
            """;

    private static final String STALE_WINDOWS = """
            SELECT first_id, last_id FROM dispatch_window
             WHERE notice_id = ? AND channel = ?::delivery_channel AND published_at < now() - make_interval(secs => ?)
             ORDER BY last_id LIMIT 10
            """;

    private static final String UNFINISHED = """
            SELECT id FROM delivery
             WHERE notice_id = ? AND channel = ?::delivery_channel AND id BETWEEN ? AND ?
               AND status = 'PENDING' AND next_attempt_at IS NULL AND %s
             ORDER BY id
            """.formatted(unleased("id", CHANNEL_LEASES));

    /**
     * Retry claims: only CLAIM_RETRIES makes a row QUEUED, and the row keeps the due time it was claimed
     * at, so that delivery_due_idx (V12) finds claims instead of a scan of the partition.
     */
    private static final String CLAIMED = "status = 'QUEUED' AND next_attempt_at IS NOT NULL";

    private static final String STALE_RETRIES = """
            WITH stale AS MATERIALIZED (
                   SELECT id FROM delivery
                    WHERE notice_id = ? AND channel = ?::delivery_channel AND %s
                      AND updated_at < now() - make_interval(secs => ?) AND %s
                    ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED),
                 touched AS (
                   UPDATE delivery d SET updated_at = now() FROM stale WHERE d.notice_id = ? AND d.id = stale.id
                   RETURNING d.id, d.waiting_for IS NOT NULL AS paced)
            SELECT id, paced FROM touched ORDER BY id
            """.formatted(CLAIMED, unleased("id", CHANNEL_LEASES));

    private static final String SILENT_LEASES = """
            SELECT l.id, l.notice_id, l.channel::text, l.ids FROM delivery_lease l LEFT JOIN pod p ON p.id = l.pod
             WHERE p.id IS NULL OR p.seen_at < now() - make_interval(secs => ?)
               FOR UPDATE OF l SKIP LOCKED
            """;

    private final RetryPolicy retries;

    DeliveryLedger(RetryPolicy retries) {
        this.retries = retries;
    }

    /**
     * {@code id} held by none of the {@code leases}. As NOT IN over the leased ids PostgreSQL hashes them
     * once; {@code <> ALL} of their array compared each row with every id.
     */
    private static String unleased(String id, String leases) {
        return id + " NOT IN (SELECT x FROM delivery_lease l, unnest(l.ids) x WHERE " + leases + ")";
    }

    // ---------------------------------------------------------------- plan

    /**
     * Plans one chunk of a notice's audience: a delivery per customer and destination of each channel,
     * PENDING, or SKIPPED with the reason a destination gives. Ids are {@code firstId} plus the row's
     * number.
     *
     * @param audience SQL selecting the chunk's customers ({@code c.*} of the customer table)
     * @param destinations per channel, SQL over {@code audience} selecting (customer_id, destination, skip_reason)
     * @return the highest id planned, or 0 when the chunk was empty
     */
    public long plan(Connection c, long noticeId, long firstId, String audience, List<Object> audienceParams,
            Map<DeliveryChannel, String> destinations) throws SQLException {
        int inserted;
        List<String> parts = new ArrayList<>();
        destinations.forEach((channel, sql) -> parts.add("SELECT x.customer_id, '" + channel.name()
                + "'::delivery_channel, x.destination, x.skip_reason FROM (" + sql + ") x(customer_id, destination, skip_reason)"));
        try (PreparedStatement statement = c.prepareStatement(PLAN.formatted(audience, String.join(" UNION ALL ", parts)))) {
            int i = 1;
            for (Object param : audienceParams) {
                statement.setObject(i++, param);
            }
            statement.setLong(i++, noticeId);
            statement.setLong(i, firstId - 1);
            inserted = statement.executeUpdate();
        }
        Delta delta = new Delta();
        long last = 0;
        long counted = 0;
        try (PreparedStatement statement = c.prepareStatement(PLANNED)) {
            statement.setLong(1, noticeId);
            statement.setLong(2, firstId);
            statement.setLong(3, firstId + (1L << CHUNK_BITS) - 1);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    delta.add(DeliveryChannel.valueOf(rows.getString(1)), DeliveryStatus.valueOf(rows.getString(2)),
                            rows.getLong(3));
                    counted += rows.getLong(3);
                    last = Math.max(last, rows.getLong(4));
                }
            }
        }
        if (counted != inserted) {
            throw new IllegalStateException("Notice " + noticeId + ": a plan chunk made " + inserted
                    + " deliveries, more than its id block holds; lower herald.dispatch.plan-chunk");
        }
        delta.apply(c, noticeId);
        return last;
    }

    // ---------------------------------------------------------------- hand out

    /**
     * Hands the next never-attempted deliveries of a channel, up to {@code room} and no further than
     * {@code upTo}, to the broker: the cursor moves past them and they count as QUEUED, without a row
     * written. The window is recorded, so that the sweeper finds it again if its messages are lost.
     * Needs a transaction.
     */
    public List<Long> handOut(Connection c, long noticeId, DeliveryChannel channel, long room, long upTo)
            throws SQLException {
        Jdbc.update(c, "INSERT INTO dispatch_cursor (notice_id, channel, position) VALUES (?, ?::delivery_channel, 0)"
                + " ON CONFLICT DO NOTHING", noticeId, channel.name());
        long cursor = Jdbc.queryOne(c, Long.class, "SELECT position FROM dispatch_cursor"
                + " WHERE notice_id = ? AND channel = ?::delivery_channel FOR UPDATE", noticeId, channel.name());
        if (room <= 0 || cursor >= upTo) {
            return List.of();
        }
        List<Long> window;
        try (PreparedStatement statement = c.prepareStatement(NEXT_WINDOW)) {
            statement.setLong(1, noticeId);
            statement.setString(2, channel.name());
            statement.setLong(3, cursor);
            statement.setLong(4, upTo);
            statement.setLong(5, room);
            window = ids(statement);
        }
        // Past the last of the window; or, when the range held fewer, past the whole range: what is left
        // in it (skipped deliveries) needs no sending, and the next window need not scan it again.
        long position = window.size() < room ? upTo : window.get(window.size() - 1);
        Jdbc.update(c, "UPDATE dispatch_cursor SET position = ? WHERE notice_id = ? AND channel = ?::delivery_channel",
                position, noticeId, channel.name());
        if (!window.isEmpty()) {
            Jdbc.update(c, "INSERT INTO dispatch_window (notice_id, channel, first_id, last_id, published_at)"
                    + " VALUES (?, ?::delivery_channel, ?, ?, now())", noticeId, channel.name(), window.get(0),
                    window.get(window.size() - 1));
            new Delta().move(channel, DeliveryStatus.PENDING, DeliveryStatus.QUEUED, window.size()).apply(c, noticeId);
        }
        return window;
    }

    /**
     * Deliveries handed to the broker again, by the queue they go to: {@code later} are those postponed
     * for their domain group's pace, {@code main} the others (retries, fallbacks, hand-backs).
     */
    public record HandedOut(List<Long> main, List<Long> later) {
        public int size() {
            return main.size() + later.size();
        }

        /** Adds a row of (id, whether it waits for a domain group's pace). */
        void add(ResultSet row) throws SQLException {
            (row.getBoolean(2) ? later : main).add(row.getLong(1));
        }
    }

    /** Claims up to {@code room} deliveries of a channel whose retry is due (QUEUED). Needs a transaction. */
    public HandedOut claimDueRetries(Connection c, long noticeId, DeliveryChannel channel, long room)
            throws SQLException {
        HandedOut claimed = new HandedOut(new ArrayList<>(), new ArrayList<>());
        if (room <= 0) {
            return claimed;
        }
        try (PreparedStatement statement = c.prepareStatement(CLAIM_RETRIES)) {
            statement.setLong(1, noticeId);
            statement.setString(2, channel.name());
            statement.setLong(3, noticeId);
            statement.setString(4, channel.name());
            statement.setLong(5, room);
            statement.setLong(6, noticeId);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    claimed.add(rows);
                }
            }
        }
        new Delta().move(channel, DeliveryStatus.PENDING, DeliveryStatus.QUEUED, claimed.size()).apply(c, noticeId);
        return claimed;
    }

    /**
     * Deliveries handed to the broker long ago and still not attempted nor held by a worker: their
     * message, or the pod that had it, was lost. Windows and retry claims found are marked as published
     * now; returns their ids, for publishing again.
     */
    public HandedOut republishable(Connection c, long noticeId, DeliveryChannel channel, Duration staleAfter,
            long limit) throws SQLException {
        double seconds = staleAfter.toMillis() / 1000.0;
        List<long[]> windows = new ArrayList<>();
        try (PreparedStatement statement = c.prepareStatement(STALE_WINDOWS)) {
            statement.setLong(1, noticeId);
            statement.setString(2, channel.name());
            statement.setDouble(3, seconds);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    windows.add(new long[] { rows.getLong(1), rows.getLong(2) });
                }
            }
        }
        HandedOut ids = new HandedOut(new ArrayList<>(), new ArrayList<>());
        for (long[] window : windows) {
            List<Long> waiting;
            try (PreparedStatement statement = c.prepareStatement(UNFINISHED)) {
                statement.setLong(1, noticeId);
                statement.setString(2, channel.name());
                statement.setLong(3, window[0]);
                statement.setLong(4, window[1]);
                statement.setLong(5, noticeId);
                statement.setString(6, channel.name());
                waiting = ids(statement);
            }
            boolean done = waiting.isEmpty() && Jdbc.queryOne(c, Boolean.class, """
                    SELECT NOT EXISTS (SELECT 1 FROM delivery d %s WHERE d.notice_id = ? AND d.channel = ?::delivery_channel
                                          AND d.id BETWEEN ? AND ? AND %s)""".formatted(CURSOR_JOIN, OPEN),
                    noticeId, channel.name(), window[0], window[1]);
            if (done) {
                Jdbc.update(c, "DELETE FROM dispatch_window WHERE notice_id = ? AND channel = ?::delivery_channel"
                        + " AND last_id = ?", noticeId, channel.name(), window[1]);
            } else {
                Jdbc.update(c, "UPDATE dispatch_window SET published_at = now() WHERE notice_id = ?"
                        + " AND channel = ?::delivery_channel AND last_id = ?", noticeId, channel.name(), window[1]);
                ids.main().addAll(waiting);
            }
        }
        try (PreparedStatement statement = c.prepareStatement(STALE_RETRIES)) {
            statement.setLong(1, noticeId);
            statement.setString(2, channel.name());
            statement.setDouble(3, seconds);
            statement.setLong(4, noticeId);
            statement.setString(5, channel.name());
            statement.setLong(6, limit);
            statement.setLong(7, noticeId);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows);
                }
            }
        }
        return ids;
    }

    // ---------------------------------------------------------------- lease, record, release

    /**
     * A worker's claim on a batch: the rows of {@code ids} still open and held by no other lease, leased
     * to {@code pod}. Claims of one notice and channel run one at a time (an advisory lock), so two
     * workers given the same ids never both lease one. Nothing is leased once the notice is no longer
     * DISPATCHING; the notice row is read under a share lock, so a cancel waits for this claim and then
     * leaves its rows to the worker. Needs a transaction.
     */
    public Lease lease(Connection c, String pod, long noticeId, DeliveryChannel channel, List<Long> ids)
            throws SQLException {
        Jdbc.queryOne(c, Integer.class, "SELECT 1 FROM pg_advisory_xact_lock((? % 2147483647)::int, ?)", noticeId,
                channel.ordinal());
        List<Leased> rows = new ArrayList<>(ids.size());
        long leaseId = 0;
        try (PreparedStatement statement = c.prepareStatement(LEASE)) {
            statement.setLong(1, noticeId);
            statement.setLong(2, noticeId);
            statement.setString(3, channel.name());
            statement.setArray(4, bigints(c, ids));
            statement.setLong(5, noticeId);
            statement.setString(6, channel.name());
            statement.setLong(7, ids.stream().mapToLong(Long::longValue).max().orElse(0));
            statement.setLong(8, ids.stream().mapToLong(Long::longValue).min().orElse(0));
            statement.setString(9, pod);
            statement.setLong(10, noticeId);
            statement.setString(11, channel.name());
            try (ResultSet r = statement.executeQuery()) {
                while (r.next()) {
                    leaseId = r.getLong(1);
                    rows.add(new Leased(r.getLong(2), r.getInt(3), r.getInt(4), r.getString(5), r.getString(6)));
                }
            }
        }
        return new Lease(leaseId, noticeId, channel, List.copyOf(rows));
    }

    /**
     * Records the outcomes of attempts on leased deliveries, with their timeline events and counters.
     * A row no longer open (finished by another worker after its lease was taken back, or cancelled) is
     * left as it is, except that an accepted message is recorded as SENT even on a cancelled row.
     *
     * @param leased the deliveries as they were leased: attempts and deferrals before these outcomes
     * @return how many rows took their outcome, and which of them are FAILED now
     */
    public Recorded record(Connection c, long noticeId, List<Outcome> outcomes, Map<Long, Leased> leased)
            throws SQLException {
        if (outcomes.isEmpty()) {
            return new Recorded(0, List.of());
        }
        Instant now = Instant.now();
        int n = outcomes.size();
        Object[] ids = new Object[n];
        Object[] statuses = new Object[n];
        Object[] next = new Object[n];
        Object[] errors = new Object[n];
        Object[] providerIds = new Object[n];
        Object[] events = new Object[n];
        byte[][] contents = new byte[n][];
        Object[] attempted = new Object[n];
        Object[] waitingFor = new Object[n];
        Object[] deferred = new Object[n];
        for (int i = 0; i < n; i++) {
            Outcome outcome = outcomes.get(i);
            Leased before = leased.get(outcome.deliveryId());
            Outcome.Resolved r = retries.resolve(outcome, (before == null ? 0 : before.attempts()) + 1,
                    before == null ? 0 : before.deferrals(), now);
            ids[i] = r.deliveryId();
            statuses[i] = r.status().name();
            next[i] = r.nextAttemptAt() == null ? null : Timestamp.from(r.nextAttemptAt());
            errors[i] = r.error();
            providerIds[i] = r.providerMessageId();
            events[i] = r.event();
            contents[i] = r.contentSha256();
            attempted[i] = r.attempted() ? 1 : 0;
            waitingFor[i] = r.waitingFor();
            deferred[i] = r.deferred() ? 1 : 0;
        }
        try (PreparedStatement statement = c.prepareStatement(RECORD)) {
            statement.setArray(1, c.createArrayOf("bigint", ids));
            statement.setArray(2, c.createArrayOf("text", statuses));
            statement.setArray(3, c.createArrayOf("timestamptz", next));
            statement.setArray(4, c.createArrayOf("text", errors));
            statement.setArray(5, c.createArrayOf("text", providerIds));
            statement.setArray(6, c.createArrayOf("text", events));
            statement.setArray(7, c.createArrayOf("bytea", contents));
            statement.setArray(8, c.createArrayOf("int4", attempted));
            statement.setArray(9, c.createArrayOf("text", waitingFor));
            statement.setArray(10, c.createArrayOf("int4", deferred));
            statement.setLong(11, noticeId);
            statement.setLong(12, noticeId);
            statement.setLong(13, noticeId);
            statement.setLong(14, noticeId);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return new Recorded(rows.getInt(1), List.of((Long[]) rows.getArray(2).getArray()));
            }
        }
    }

    /** What a record did: how many rows took their outcome, and the ids of those that FAILED. */
    public record Recorded(int applied, List<Long> failed) {
    }

    /**
     * Gives customers whose first channel did not reach them their fallback channel: for each of the
     * {@code ended} deliveries (FAILED, BOUNCED or SKIPPED) whose customer has no delivery on that first
     * channel still open or reached, a delivery per destination {@code destinations} finds on the
     * fallback channel, linked to it (fallback_of). Fallbacks are born due, so the retry scan hands
     * them out; one already made is not made again. Returns how many were made. Needs a transaction.
     */
    public long fallback(Connection c, long noticeId, List<Long> ended, DeliveryChannel to, String destinations)
            throws SQLException {
        if (ended.isEmpty()) {
            return 0;
        }
        Delta delta = new Delta();
        long made = 0;
        try (PreparedStatement statement = c.prepareStatement(FALLBACK.formatted(destinations))) {
            statement.setLong(1, noticeId);
            statement.setArray(2, bigints(c, ended));
            statement.setLong(3, noticeId);
            statement.setString(4, to.name());
            statement.setLong(5, noticeId);
            statement.setString(6, to.name());
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    delta.add(to, DeliveryStatus.valueOf(rows.getString(1)), rows.getLong(2));
                    made += rows.getLong(2);
                }
            }
        }
        delta.apply(c, noticeId);
        return made;
    }

    /**
     * Hands back deliveries that were handed out but not attempted (the notice was paused, the channel
     * is down, the pod is stopping), without counting an attempt: retry claims wait again, due at once;
     * never-attempted rows stay in their window, which is marked due for publishing again. Ends the
     * lease when one is given (its other rows were recorded). Needs a transaction.
     */
    public void release(Connection c, long noticeId, DeliveryChannel channel, List<Long> ids, long leaseId)
            throws SQLException {
        if (leaseId != 0) {
            Jdbc.update(c, "DELETE FROM delivery_lease WHERE id = ?", leaseId);
        }
        if (ids.isEmpty()) {
            return;
        }
        long first = ids.stream().mapToLong(Long::longValue).min().getAsLong();
        long last = ids.stream().mapToLong(Long::longValue).max().getAsLong();
        Jdbc.update(c, "UPDATE dispatch_window SET published_at = '-infinity' WHERE notice_id = ?"
                + " AND channel = ?::delivery_channel AND last_id >= ? AND first_id <= ?", noticeId, channel.name(), first,
                last);
        int unclaimed = Jdbc.update(c, UNCLAIM, noticeId, bigints(c, ids));
        new Delta().move(channel, DeliveryStatus.QUEUED, DeliveryStatus.PENDING, unclaimed).apply(c, noticeId);
    }

    /**
     * Takes back the leases of pods silent for longer than {@code silence}: their deliveries are
     * released as by {@link #release}. Needs a transaction.
     */
    public List<TakenBack> takeBackSilentLeases(Connection c, Duration silence) throws SQLException {
        record Silent(long id, long noticeId, DeliveryChannel channel, List<Long> ids) {
        }
        List<Silent> silent = new ArrayList<>();
        try (PreparedStatement statement = c.prepareStatement(SILENT_LEASES)) {
            statement.setDouble(1, silence.toMillis() / 1000.0);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    silent.add(new Silent(rows.getLong(1), rows.getLong(2), DeliveryChannel.valueOf(rows.getString(3)),
                            List.of((Long[]) rows.getArray(4).getArray())));
                }
            }
        }
        List<TakenBack> taken = new ArrayList<>();
        for (Silent lease : silent) {
            release(c, lease.noticeId(), lease.channel(), lease.ids(), lease.id());
            taken.add(new TakenBack(lease.noticeId(), lease.channel(), lease.ids().size()));
        }
        return taken;
    }

    /** Marks every window of a notice due and returns its retry claims to waiting: on resume. Needs a transaction. */
    public void releaseAll(Connection c, long noticeId) throws SQLException {
        Jdbc.update(c, "UPDATE dispatch_window SET published_at = '-infinity' WHERE notice_id = ?", noticeId);
        try (PreparedStatement statement = c.prepareStatement("""
                WITH unclaimed AS (
                  UPDATE delivery SET status = 'PENDING', next_attempt_at = now(), updated_at = now()
                   WHERE notice_id = ? AND %s AND %s
                  RETURNING channel)
                SELECT channel::text, count(*) FROM unclaimed GROUP BY 1""".formatted(CLAIMED, unleased("id", NOTICE_LEASES)))) {
            statement.setLong(1, noticeId);
            statement.setLong(2, noticeId);
            Delta delta = new Delta();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    delta.move(DeliveryChannel.valueOf(rows.getString(1)), DeliveryStatus.QUEUED, DeliveryStatus.PENDING,
                            rows.getLong(2));
                }
            }
            delta.apply(c, noticeId);
        }
    }

    /**
     * Cancels every delivery of a notice that could still change and that no worker holds; those a
     * worker holds are cancelled once it hands them back. Returns how many were cancelled. Needs a
     * transaction.
     */
    public long cancel(Connection c, long noticeId) throws SQLException {
        Delta delta = new Delta();
        long cancelled = 0;
        try (PreparedStatement statement = c.prepareStatement(CANCEL)) {
            statement.setLong(1, noticeId);
            statement.setLong(2, noticeId);
            statement.setLong(3, noticeId);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    delta.move(DeliveryChannel.valueOf(rows.getString(1)), DeliveryStatus.valueOf(rows.getString(2)),
                            DeliveryStatus.CANCELLED, rows.getLong(3));
                    cancelled += rows.getLong(3);
                }
            }
        }
        delta.apply(c, noticeId);
        if (Jdbc.queryOne(c, Long.class, "SELECT count(*) FROM delivery_lease WHERE notice_id = ?", noticeId) == 0) {
            Jdbc.update(c, "DELETE FROM dispatch_window WHERE notice_id = ?", noticeId);
        }
        return cancelled;
    }

    /**
     * Makes room for a notice's deliveries: a partition of their own, with the fillfactor that keeps
     * outcome writes HOT, so that they can later be removed whole ({@link #remove}). Attaching takes a
     * lock that lets every other notice's reads and writes go on. Idempotent; needs a transaction.
     */
    public void open(Connection c, long noticeId) throws SQLException {
        String partition = partition(noticeId);
        if (Jdbc.queryOne(c, Boolean.class, "SELECT to_regclass(?) IS NULL", partition)) {
            Jdbc.update(c, "CREATE TABLE " + partition + " (LIKE delivery INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
                    + " WITH (fillfactor = 80)");
            Jdbc.update(c, "ALTER TABLE delivery ATTACH PARTITION " + partition + " FOR VALUES IN (" + noticeId + ")");
        }
    }

    /**
     * Removes every delivery of a finished notice, with their timeline events and leases: the partition
     * is detached without blocking other notices, then dropped. Runs outside a transaction
     * (DETACH CONCURRENTLY cannot run in one); the counters stay, as the notice's totals.
     */
    public void remove(Connection c, long noticeId) throws SQLException {
        String partition = partition(noticeId);
        if (!Jdbc.queryOne(c, Boolean.class, "SELECT to_regclass(?) IS NULL", partition)) {
            if (Jdbc.queryOne(c, Boolean.class, "SELECT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = ?::regclass)",
                    partition)) {
                Jdbc.update(c, "ALTER TABLE delivery DETACH PARTITION " + partition + " CONCURRENTLY");
            }
            Jdbc.update(c, "DROP TABLE " + partition);
        }
        Jdbc.update(c, "DELETE FROM delivery_event WHERE notice_id = ?", noticeId);
        Jdbc.update(c, "DELETE FROM delivery_lease WHERE notice_id = ?", noticeId);
    }

    private static String partition(long noticeId) {
        return "delivery_" + noticeId;
    }

    /** Forgets the dispatch windows of a notice that is finished. */
    public void closeWindows(Connection c, long noticeId) throws SQLException {
        Jdbc.update(c, "DELETE FROM dispatch_window WHERE notice_id = ?", noticeId);
    }

    // ---------------------------------------------------------------- provider events

    /**
     * Applies what a provider reported about a delivery: it moves to {@code to} if it is in one of
     * {@code from}, and answers whether it moved. Needs a transaction.
     */
    public boolean applyProviderEvent(Connection c, long noticeId, long deliveryId, DeliveryStatus to, String error,
            List<DeliveryStatus> from) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(MOVE)) {
            statement.setString(1, to.name());
            statement.setString(2, error);
            statement.setLong(3, noticeId);
            statement.setLong(4, deliveryId);
            statement.setArray(5, c.createArrayOf("text", from.stream().map(Enum::name).toArray()));
            statement.setLong(6, noticeId);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return false;
                }
                new Delta().move(DeliveryChannel.valueOf(row.getString(1)), DeliveryStatus.valueOf(row.getString(2)), to, 1)
                        .apply(c, noticeId);
                return true;
            }
        }
    }

    /** Adds an event to a delivery's timeline. */
    public void addEvent(Connection c, long noticeId, long deliveryId, String kind, String detail) throws SQLException {
        Jdbc.update(c, "INSERT INTO delivery_event (notice_id, delivery_id, kind, detail) VALUES (?, ?, ?, ?)",
                noticeId, deliveryId, kind, detail);
    }

    // ---------------------------------------------------------------- helpers

    private static Array bigints(Connection c, List<Long> ids) throws SQLException {
        return c.createArrayOf("bigint", ids.toArray());
    }

    private static List<Long> ids(PreparedStatement statement) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                ids.add(rows.getLong(1));
            }
        }
        return ids;
    }

    /**
     * Changes to delivery_count. Keys are applied in a fixed order, so two transactions never wait on
     * each other's counter rows in a cycle.
     */
    private static final class Delta {
        private final Map<String, Long> changes = new TreeMap<>();

        Delta add(DeliveryChannel channel, DeliveryStatus status, long n) {
            if (n != 0) {
                changes.merge(channel.name() + ":" + status.name(), n, Long::sum);
            }
            return this;
        }

        Delta move(DeliveryChannel channel, DeliveryStatus from, DeliveryStatus to, long n) {
            return from == to ? this : add(channel, from, -n).add(channel, to, n);
        }

        void apply(Connection connection, long noticeId) throws SQLException {
            changes.values().removeIf(n -> n == 0);
            if (changes.isEmpty()) {
                return;
            }
            try (PreparedStatement statement = connection.prepareStatement("""
                    INSERT INTO delivery_count AS dc (notice_id, channel, status, count)
                    SELECT ?, split_part(k, ':', 1)::delivery_channel, split_part(k, ':', 2)::delivery_status, n
                      FROM unnest(?::text[], ?::bigint[]) AS d(k, n)
                    ON CONFLICT (notice_id, channel, status) DO UPDATE SET count = dc.count + excluded.count
                    """)) {
                statement.setLong(1, noticeId);
                statement.setArray(2, connection.createArrayOf("text", changes.keySet().toArray()));
                statement.setArray(3, connection.createArrayOf("bigint", changes.values().toArray()));
                statement.executeUpdate();
            }
        }
    }
}
