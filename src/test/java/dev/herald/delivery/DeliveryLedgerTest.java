package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.herald.channel.email.EmailDestinations;
import dev.herald.ops.Jdbc;
import dev.herald.ops.Pods;
import dev.herald.support.HeraldTest;
import io.agroal.api.AgroalDataSource;

/**
 * Each transition of the ledger against the real PostgreSQL. After every step the counters must equal
 * a recount of the rows by the state a caller sees: completion trusts them.
 */
@HeraldTest
class DeliveryLedgerTest {

    private static final DeliveryChannel EMAIL = DeliveryChannel.EMAIL;
    private static final byte[] HASH = dev.herald.ops.Sha256.of("the message".getBytes());
    private static int notices;

    @Inject
    DeliveryLedger ledger;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    EmailDestinations emailDestinations;
    @Inject
    Pods pods;

    private Connection db;
    private long notice;
    private String prefix;

    @BeforeEach
    void notice() throws SQLException {
        db = dataSource.getConnection();
        prefix = "ledger-" + (++notices) + "-";
        notice = Jdbc.queryOne(db, Long.class, """
                INSERT INTO notice (name, status, channels, audience, fallback_locale, templates)
                VALUES ('ledger test', 'PAUSED', '{EMAIL}', '{"criteria": {"tag": "none"}}', 'en', '{}') RETURNING id""");
        // This test drives the notice: the dispatch loop of the running service leaves it alone.
        assertThat(Jdbc.queryOne(db, Boolean.class, "SELECT pg_try_advisory_lock(?)", notice)).isTrue();
        Jdbc.update(db, "UPDATE notice SET status = 'DISPATCHING' WHERE id = ?", notice);
        ledger.open(db, notice);
        for (int i = 0; i < 10; i++) {
            Jdbc.update(db, "INSERT INTO customer (id, email) VALUES (?, ?)", prefix + i,
                    i == 9 ? null : prefix + i + "@ledger.example");
        }
    }

    @AfterEach
    void close() throws SQLException {
        // Left to the service, which cancels what is still open.
        Jdbc.update(db, "UPDATE notice SET status = 'CANCELLED' WHERE id = ?", notice);
        db.close();
    }

    @Test
    void planHandOutLeaseRecordAndRetryKeepTheCountersExact() throws SQLException {
        long first = plan();
        assertCounts(Map.of("PENDING", 9L, "SKIPPED", 1L));
        assertThat(rowStatus(first + 9)).isEqualTo("SKIPPED");

        List<Long> window = tx(c -> ledger.handOut(c, notice, EMAIL, 4, first + 100));
        assertThat(window).containsExactly(first, first + 1, first + 2, first + 3);
        assertCounts(Map.of("PENDING", 5L, "QUEUED", 4L, "SKIPPED", 1L));
        assertThat(rowStatus(first)).as("handing out writes no row").isEqualTo("PENDING");
        assertThat(state(first)).isEqualTo("QUEUED");

        DeliveryLedger.Lease lease = tx(c -> ledger.lease(c, pods.id(), notice, EMAIL, window));
        assertThat(lease.rows()).hasSize(4);
        DeliveryLedger.Lease second = tx(c -> ledger.lease(c, pods.id(), notice, EMAIL, window));
        assertThat(second.rows()).as("a batch delivered twice is leased once").isEmpty();

        Map<Long, DeliveryLedger.Leased> leased = new HashMap<>();
        lease.rows().forEach(r -> leased.put(r.deliveryId(), r));
        DeliveryLedger.Recorded recorded = tx(c -> ledger.record(c, notice, List.of(Outcome.sent(first, "id-0", HASH),
                Outcome.retry(first + 1, "SMTP 451 try later"), Outcome.failed(first + 2, "SMTP 550 no such user")),
                leased));
        assertThat(recorded.applied()).isEqualTo(3);
        assertThat(recorded.failed()).containsExactly(first + 2);
        assertCounts(Map.of("PENDING", 6L, "QUEUED", 1L, "SENT", 1L, "FAILED", 1L, "SKIPPED", 1L));
        assertThat(rowStatus(first + 1)).isEqualTo("PENDING");
        assertThat(Jdbc.queryOne(db, Integer.class, "SELECT attempts FROM delivery WHERE notice_id = ? AND id = ?",
                notice, first + 1)).isEqualTo(1);
        assertThat(Jdbc.queryOne(db, String.class, "SELECT provider_message_id FROM delivery WHERE notice_id = ? AND id = ?",
                notice, first)).isEqualTo("id-0");
        assertThat(Jdbc.queryOne(db, byte[].class, "SELECT content_sha256 FROM delivery WHERE notice_id = ? AND id = ?",
                notice, first)).as("the hash of what was sent is kept").isEqualTo(HASH);
        assertThat(events(first + 1)).containsExactly("RETRY_SCHEDULED");

        tx(c -> {
            ledger.release(c, notice, EMAIL, List.of(first + 3), lease.id());
            return null;
        });
        assertCounts(Map.of("PENDING", 6L, "QUEUED", 1L, "SENT", 1L, "FAILED", 1L, "SKIPPED", 1L));
        assertThat(Jdbc.queryOne(db, Boolean.class, "SELECT published_at = '-infinity' FROM dispatch_window"
                + " WHERE notice_id = ?", notice)).as("the window is due for publishing again").isTrue();
        assertThat(Jdbc.queryOne(db, Long.class, "SELECT count(*) FROM delivery_lease WHERE notice_id = ?", notice))
                .isZero();

        // A retry claimed twice: the second claim finds nothing, and nothing is counted twice.
        Jdbc.update(db, "UPDATE delivery SET next_attempt_at = now() - interval '1 second' WHERE notice_id = ? AND id = ?",
                notice, first + 1);
        assertThat(this.<List<Long>>tx(c -> ledger.claimDueRetries(c, notice, EMAIL, 10).main())).containsExactly(first + 1);
        assertThat(this.<Integer>tx(c -> ledger.claimDueRetries(c, notice, EMAIL, 10).size())).isZero();
        assertCounts(Map.of("PENDING", 5L, "QUEUED", 2L, "SENT", 1L, "FAILED", 1L, "SKIPPED", 1L));
        assertThat(rowStatus(first + 1)).isEqualTo("QUEUED");

        // Handed back unattempted, the claim waits again, due at once, and no attempt is counted.
        DeliveryLedger.Lease retry = tx(c -> ledger.lease(c, pods.id(), notice, EMAIL, List.of(first + 1)));
        tx(c -> {
            ledger.release(c, notice, EMAIL, List.of(first + 1), retry.id());
            return null;
        });
        assertCounts(Map.of("PENDING", 6L, "QUEUED", 1L, "SENT", 1L, "FAILED", 1L, "SKIPPED", 1L));
        assertThat(Jdbc.queryOne(db, Integer.class, "SELECT attempts FROM delivery WHERE notice_id = ? AND id = ?",
                notice, first + 1)).isEqualTo(1);

        // The rest of the audience: the window is short of room, so the cursor moves past the skipped row too.
        assertThat(this.<List<Long>>tx(c -> ledger.handOut(c, notice, EMAIL, 100, first + 100))).hasSize(5);
        assertThat(Jdbc.queryOne(db, Long.class, "SELECT position FROM dispatch_cursor WHERE notice_id = ?", notice))
                .isEqualTo(first + 100);
        assertCounts(Map.of("PENDING", 1L, "QUEUED", 6L, "SENT", 1L, "FAILED", 1L, "SKIPPED", 1L));
    }

    @Test
    void aBatchOverlappingALeaseLeasesOnlyTheRowsNoLeaseHolds() throws SQLException {
        List<Long> window = handOutNine();
        assertThat(leasedIds(window.subList(2, 5))).hasSize(3);

        // Each batch shares one id with the lease, at its first and at its last id.
        assertThat(leasedIds(window.subList(0, 3))).containsExactlyElementsOf(window.subList(0, 2));
        assertThat(leasedIds(window.subList(4, 7))).containsExactlyElementsOf(window.subList(5, 7));
        // A batch spanning the lease, its ids around and between the lease's.
        assertThat(leasedIds(window)).containsExactlyElementsOf(window.subList(7, window.size()));
    }

    @Test
    void aLeaseWrittenWithoutItsIdRangeStillHoldsItsRows() throws SQLException {
        List<Long> window = handOutNine();
        // As a pod of the version before V14 writes it during a rollout.
        Jdbc.update(db, "INSERT INTO delivery_lease (pod, notice_id, channel, ids) VALUES (?, ?, 'EMAIL', ?::bigint[])",
                pods.id(), notice, "{" + window.get(3) + "}");
        assertThat(leasedIds(window)).doesNotContain(window.get(3)).hasSize(window.size() - 1);
    }

    @Test
    void cancelLeavesLeasedRowsToTheirWorkerAndASendThatHappenedIsRecorded() throws SQLException {
        List<Long> window = handOutNine();
        long first = window.get(0);
        DeliveryLedger.Lease lease = tx(c -> ledger.lease(c, pods.id(), notice, EMAIL, window.subList(0, 3)));
        assertThat(lease.rows()).hasSize(3);

        // As after a cancel (whose status change is the lifecycle's; PAUSED here keeps the service's loop away).
        Jdbc.update(db, "UPDATE notice SET status = 'PAUSED' WHERE id = ?", notice);
        long cancelled = tx(c -> ledger.cancel(c, notice));
        assertThat(cancelled).as("the six rows no worker holds").isEqualTo(6);
        assertCounts(Map.of("QUEUED", 3L, "CANCELLED", 6L, "SKIPPED", 1L));
        assertThat(this.<DeliveryLedger.Lease>tx(c -> ledger.lease(c, pods.id(), notice, EMAIL, window)).rows())
                .as("nothing is leased of a notice not DISPATCHING").isEmpty();

        // The worker sent one before it saw the cancel, and hands back the rest; then they are cancelled too.
        tx(c -> ledger.record(c, notice, List.of(Outcome.sent(first, null, HASH)), Map.of()));
        tx(c -> {
            ledger.release(c, notice, EMAIL, List.of(first + 1, first + 2), lease.id());
            return null;
        });
        assertThat(this.<Long>tx(c -> ledger.cancel(c, notice))).isEqualTo(2);
        assertCounts(Map.of("SENT", 1L, "CANCELLED", 8L, "SKIPPED", 1L));

        // An outcome arriving for a row cancelled meanwhile: a send that happened is recorded, a failure is not.
        DeliveryLedger.Recorded applied = tx(c -> ledger.record(c, notice, List.of(Outcome.sent(first + 5, null, HASH),
                Outcome.failed(first + 6, "SMTP 550")), Map.of()));
        assertThat(applied.applied()).isEqualTo(1);
        assertThat(rowStatus(first + 5)).isEqualTo("SENT");
        assertThat(rowStatus(first + 6)).isEqualTo("CANCELLED");
        assertCounts(Map.of("SENT", 2L, "CANCELLED", 7L, "SKIPPED", 1L));
    }

    @Test
    void aPostponementCountsNoAttemptComesBackOnTheLaterQueueAndEndsAfterMaxDeferrals() throws SQLException {
        long first = plan();
        List<Long> window = tx(c -> ledger.handOut(c, notice, EMAIL, 2, first + 100));
        DeliveryLedger.Lease lease = tx(c -> ledger.lease(c, pods.id(), notice, EMAIL, window));
        Map<Long, DeliveryLedger.Leased> leased = new HashMap<>();
        lease.rows().forEach(r -> leased.put(r.deliveryId(), r));
        java.time.Instant due = java.time.Instant.now().minusSeconds(1);
        tx(c -> ledger.record(c, notice, List.of(
                Outcome.postponed(first, "gmail.com", due, "SMTP 421 4.7.28 unusual rate"),
                Outcome.postponed(first + 1, "gmail.com", due, null)), leased));
        tx(c -> {
            ledger.release(c, notice, EMAIL, List.of(), lease.id());
            return null;
        });
        assertCounts(Map.of("PENDING", 9L, "SKIPPED", 1L));
        assertThat(Jdbc.queryOne(db, String.class, "SELECT attempts || '/' || coalesce(deferrals, 0) || '/' || waiting_for FROM delivery"
                + " WHERE notice_id = ? AND id = ?", notice, first)).as("a deferral: no attempt, one deferral").isEqualTo("0/1/gmail.com");
        assertThat(Jdbc.queryOne(db, String.class, "SELECT attempts || '/' || coalesce(deferrals, 0) || '/' || waiting_for FROM delivery"
                + " WHERE notice_id = ? AND id = ?", notice, first + 1)).as("no room: neither").isEqualTo("0/0/gmail.com");
        assertThat(events(first)).containsExactly("DEFERRED");
        assertThat(events(first + 1)).isEmpty();

        DeliveryLedger.HandedOut claimed = tx(c -> ledger.claimDueRetries(c, notice, EMAIL, 10));
        assertThat(claimed.later()).containsExactly(first, first + 1);
        assertThat(claimed.main()).isEmpty();

        // A reply taken for a deferral that never stops: past max-deferrals it is a counted retry.
        Jdbc.update(db, "UPDATE delivery SET deferrals = 20 WHERE notice_id = ? AND id = ?", notice, first);
        DeliveryLedger.Lease again = tx(c -> ledger.lease(c, pods.id(), notice, EMAIL, List.of(first)));
        tx(c -> ledger.record(c, notice, List.of(Outcome.postponed(first, "gmail.com", due, "SMTP 421 4.7.28 unusual rate")),
                Map.of(first, again.rows().get(0))));
        assertThat(Jdbc.queryOne(db, Integer.class, "SELECT attempts FROM delivery WHERE notice_id = ? AND id = ?",
                notice, first)).isEqualTo(1);
        assertThat(events(first)).containsExactly("DEFERRED", "RETRY_SCHEDULED");
    }

    @Test
    void providerEventsMoveOnlyWhatTheyMayAndLeasesOfSilentPodsAreTakenBack() throws SQLException {
        long first = plan();
        List<Long> window = tx(c -> ledger.handOut(c, notice, EMAIL, 9, first + 100));
        DeliveryLedger.Lease lease = tx(c -> ledger.lease(c, pods.id(), notice, EMAIL, window.subList(0, 2)));
        tx(c -> ledger.record(c, notice, List.of(Outcome.sent(first, null, HASH), Outcome.sent(first + 1, null, HASH)),
                Map.of()));
        tx(c -> {
            ledger.release(c, notice, EMAIL, List.of(), lease.id());
            return null;
        });

        assertThat(this.<Boolean>tx(c -> ledger.applyProviderEvent(c, notice, first, DeliveryStatus.BOUNCED, "hard bounce: 550",
                List.of(DeliveryStatus.SENT, DeliveryStatus.DELIVERED)))).isTrue();
        assertThat(this.<Boolean>tx(c -> ledger.applyProviderEvent(c, notice, first, DeliveryStatus.DELIVERED, null,
                List.of(DeliveryStatus.SENT)))).as("a delivery report after the bounce changes nothing").isFalse();
        assertThat(this.<Boolean>tx(c -> ledger.applyProviderEvent(c, notice, first + 1, DeliveryStatus.DELIVERED, null,
                List.of(DeliveryStatus.SENT)))).isTrue();
        assertThat(this.<Boolean>tx(c -> ledger.applyProviderEvent(c, notice, first + 2, DeliveryStatus.DELIVERED, null,
                List.of(DeliveryStatus.SENT)))).as("a delivery not sent yet").isFalse();
        assertCounts(Map.of("BOUNCED", 1L, "DELIVERED", 1L, "QUEUED", 7L, "SKIPPED", 1L));

        // A pod that died holding a lease: its rows are handed back, due for publishing again.
        DeliveryLedger.Lease orphan = tx(c -> ledger.lease(c, "a-pod-that-died", notice, EMAIL, window.subList(2, 5)));
        assertThat(orphan.rows()).hasSize(3);
        tx(c -> ledger.takeBackSilentLeases(c, Duration.ofSeconds(5)));
        assertThat(Jdbc.queryOne(db, Long.class, "SELECT count(*) FROM delivery_lease WHERE id = ?", orphan.id())).isZero();
        assertThat(this.<DeliveryLedger.Lease>tx(c -> ledger.lease(c, pods.id(), notice, EMAIL, window.subList(2, 5))).rows()).hasSize(3);
        assertCounts(Map.of("BOUNCED", 1L, "DELIVERED", 1L, "QUEUED", 7L, "SKIPPED", 1L));
    }

    @Test
    void fallbacksAreMadeOnceForCustomersTheFirstChannelDidNotReach() throws SQLException {
        long first = plan();
        for (int i : new int[] { 1, 9 }) {
            Jdbc.update(db, "INSERT INTO device (customer_id, platform, app_id, token) VALUES (?, 'FCM', 'app', ?)",
                    prefix + i, prefix + "token-" + i);
        }
        List<Long> window = tx(c -> ledger.handOut(c, notice, EMAIL, 9, first + 100));
        DeliveryLedger.Lease lease = tx(c -> ledger.lease(c, pods.id(), notice, EMAIL, window));
        DeliveryLedger.Recorded recorded = tx(c -> ledger.record(c, notice,
                List.of(Outcome.failed(first + 1, "SMTP 550"), Outcome.failed(first + 2, "SMTP 550")), Map.of()));
        String push = "SELECT s.id, d.token, CASE WHEN d.id IS NULL THEN 'no registered device' END"
                + " FROM audience s LEFT JOIN device d ON d.customer_id = s.id AND d.active";
        List<Long> ended = new java.util.ArrayList<>(recorded.failed());
        ended.add(first + 9);
        // Customer 1 has a device; 2 has none (its fallback is SKIPPED); 9 had no email address and has a device.
        assertThat(this.<Long>tx(c -> ledger.fallback(c, notice, ended, DeliveryChannel.PUSH, push))).isEqualTo(3);
        assertThat(this.<Long>tx(c -> ledger.fallback(c, notice, ended, DeliveryChannel.PUSH, push)))
                .as("made once").isZero();
        assertThat(Jdbc.queryOne(db, Long.class, "SELECT fallback_of FROM delivery WHERE notice_id = ? AND channel = 'PUSH'"
                + " AND customer_id = ?", notice, prefix + 1)).isEqualTo(first + 1);
        assertThat(Jdbc.queryOne(db, Boolean.class, "SELECT next_attempt_at <= now() FROM delivery WHERE notice_id = ?"
                + " AND channel = 'PUSH' AND customer_id = ?", notice, prefix + 9)).as("born due").isTrue();
        assertThat(events(first + 1)).containsExactly("FAILED", "FALLBACK");
        assertCounts(Map.of("QUEUED", 7L, "FAILED", 2L, "SKIPPED", 2L, "PENDING", 2L));
        tx(c -> {
            ledger.release(c, notice, EMAIL, List.of(), lease.id());
            return null;
        });
    }

    private long plan() throws SQLException {
        long first = (Jdbc.queryOne(db, Long.class, "SELECT nextval('plan_chunk_seq')") << DeliveryLedger.CHUNK_BITS);
        long last = tx(c -> ledger.plan(c, notice, first, "SELECT c.* FROM customer c WHERE c.id LIKE ?",
                List.of(prefix + "%"), Map.of(EMAIL, emailDestinations.sql())));
        assertThat(last).isEqualTo(first + 9);
        Jdbc.update(db, "INSERT INTO plan_chunk (notice_id, chunk_no, after_key, upto_key, planned_at)"
                + " VALUES (?, ?, '', NULL, now())", notice, first >> DeliveryLedger.CHUNK_BITS);
        return first;
    }

    /** Plans the ten customers and hands out the nine with an address, in id order. */
    private List<Long> handOutNine() throws SQLException {
        long first = plan();
        return tx(c -> ledger.handOut(c, notice, EMAIL, 9, first + 100));
    }

    /** Leases a batch of these ids; returns those leased. */
    private List<Long> leasedIds(List<Long> batch) throws SQLException {
        return this.<DeliveryLedger.Lease>tx(c -> ledger.lease(c, pods.id(), notice, EMAIL, batch)).rows().stream()
                .map(DeliveryLedger.Leased::deliveryId).toList();
    }

    private <T> T tx(Jdbc.Work<T> work) throws SQLException {
        return Jdbc.inTransaction(db, work);
    }

    private String rowStatus(long id) throws SQLException {
        return Jdbc.queryOne(db, String.class, "SELECT status::text FROM delivery WHERE notice_id = ? AND id = ?", notice, id);
    }

    private String state(long id) throws SQLException {
        return Jdbc.queryOne(db, String.class, "SELECT " + DeliveryLedger.state("d", "dc") + "::text FROM delivery d"
                + DeliveryLedger.CURSOR_JOIN + " WHERE d.notice_id = ? AND d.id = ?", notice, id);
    }

    private List<String> events(long id) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement(
                "SELECT kind FROM delivery_event WHERE delivery_id = ? ORDER BY id")) {
            statement.setLong(1, id);
            try (ResultSet rows = statement.executeQuery()) {
                List<String> kinds = new ArrayList<>();
                while (rows.next()) {
                    kinds.add(rows.getString(1));
                }
                return kinds;
            }
        }
    }

    /** The counters equal the expected ones, and a recount of the rows by the state a caller sees. */
    private void assertCounts(Map<String, Long> expected) throws SQLException {
        assertThat(query("SELECT status::text, sum(count)::bigint FROM delivery_count WHERE notice_id = ?"
                + " GROUP BY 1 HAVING sum(count) <> 0"))
                .as("counters").isEqualTo(new TreeMap<>(expected));
        assertThat(query("SELECT " + DeliveryLedger.state("d", "dc") + "::text, count(*) FROM delivery d"
                + DeliveryLedger.CURSOR_JOIN + " WHERE d.notice_id = ? GROUP BY 1"))
                .as("rows recounted").isEqualTo(new TreeMap<>(expected));
    }

    private Map<String, Long> query(String sql) throws SQLException {
        Map<String, Long> counts = new TreeMap<>();
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            statement.setLong(1, notice);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    counts.put(rows.getString(1), rows.getLong(2));
                }
            }
        }
        return counts;
    }

}
