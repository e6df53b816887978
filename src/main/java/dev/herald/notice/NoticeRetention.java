package dev.herald.notice;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.herald.delivery.DeliveryLedger;
import dev.herald.evidence.EvidenceConfig;
import dev.herald.evidence.EvidenceExport;
import dev.herald.ops.Jdbc;
import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;

/**
 * Keeps per-delivery personal data no longer than herald.evidence.retention after a notice finished:
 * the signed evidence export (the proof) is written to the archive first, then the notice's deliveries
 * (a partition of their own), timelines and affected-account list are removed. One pod at a time
 * handles a notice (an advisory lock).
 */
@ApplicationScoped
public class NoticeRetention {

    private static final Logger LOG = Logger.getLogger(NoticeRetention.class);
    private static final String DUE = """
            SELECT id FROM notice
             WHERE purged_at IS NULL AND status IN ('COMPLETED', 'CANCELLED')
               AND coalesce(completed_at, cancelled_at) < ?
             ORDER BY id
            """;

    private final AgroalDataSource dataSource;
    private final EvidenceConfig config;
    private final EvidenceExport export;
    private final NoticeService notices;
    private final NoticeLifecycle lifecycle;
    private final DeliveryLedger ledger;

    NoticeRetention(AgroalDataSource dataSource, EvidenceConfig config, EvidenceExport export, NoticeService notices,
            NoticeLifecycle lifecycle, DeliveryLedger ledger) {
        this.dataSource = dataSource;
        this.config = config;
        this.export = export;
        this.notices = notices;
        this.lifecycle = lifecycle;
        this.ledger = ledger;
    }

    @Scheduled(every = "${herald.evidence.retention-check:1h}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void purgeDue() {
        if (config.signingKey().isEmpty()) {
            return; // nothing is removed that could not first be archived as signed evidence
        }
        try (Connection c = dataSource.getConnection()) {
            List<Long> due = Jdbc.queryList(c, DUE, OffsetDateTime.now().minus(config.retention()));
            for (long noticeId : due) {
                purge(noticeId);
            }
        } catch (SQLException | IOException | RuntimeException e) {
            LOG.error("Retention run failed; the next one tries again", e);
        }
    }

    /** Archives the notice's signed evidence, then removes its per-delivery data. Returns the archive. */
    public Path purge(long noticeId) throws SQLException, IOException {
        export.requireSigningKey();
        try (Connection c = dataSource.getConnection()) {
            if (!Jdbc.queryOne(c, Boolean.class, "SELECT pg_try_advisory_lock(?)", noticeId)) {
                return null;
            }
            try {
                Files.createDirectories(config.archive());
                Path archive = config.archive().resolve("notice-" + noticeId + "-evidence.ndjson");
                Path partial = archive.resolveSibling(archive.getFileName() + ".partial");
                try (OutputStream out = Files.newOutputStream(partial)) {
                    // The archive outlives the deliveries: it keeps them unmasked, for support-pii callers.
                    export.write(noticeId, notices.evidenceHeader(noticeId), EvidenceExport.Format.NDJSON, d -> d,
                            t -> t, out);
                }
                Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                ledger.remove(c, noticeId);
                Jdbc.update(c, "DELETE FROM affected_account WHERE notice_id = ?", noticeId);
                lifecycle.purged(noticeId, archive.toAbsolutePath().toString());
                LOG.infof("Notice %d: deliveries removed after %s; signed evidence kept at %s", noticeId,
                        config.retention(), archive);
                return archive;
            } finally {
                Jdbc.queryOne(c, Boolean.class, "SELECT pg_advisory_unlock(?)", noticeId);
            }
        }
    }
}
