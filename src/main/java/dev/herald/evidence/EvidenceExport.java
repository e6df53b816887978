package dev.herald.evidence;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

import io.agroal.api.AgroalDataSource;

/**
 * A notice's evidence, streamed in the lines {@link EvidenceWriter} writes: the header, one line per
 * delivery (customer, channel, destination as the caller may see it, status, attempts, time and answer
 * of its last change, SHA-256 of what was sent), one line per customer no channel reached, the summary,
 * then the trailer with the hash chain's digest and an Ed25519 signature of it. Deliveries are read a
 * page at a time, each page in a short query of its own: memory stays flat and no transaction stays
 * open while the caller reads.
 */
@ApplicationScoped
public class EvidenceExport {

    public enum Format {
        NDJSON,
        CSV
    }

    private static final int PAGE = 5_000;
    private static final String DELIVERIES = """
            SELECT id, customer_id, channel::text, destination, status::text, attempts, updated_at,
                   provider_message_id, last_error, content_sha256, fallback_of
              FROM delivery WHERE notice_id = ? AND id > ? ORDER BY id LIMIT ?
            """;

    private final AgroalDataSource dataSource;
    private final SubstituteNotice substitute;
    private final EvidenceSigner signer;
    private final ObjectWriter json;

    EvidenceExport(AgroalDataSource dataSource, SubstituteNotice substitute, EvidenceSigner signer, ObjectMapper json) {
        this.dataSource = dataSource;
        this.substitute = substitute;
        this.signer = signer;
        this.json = json.writer();
    }

    /** Fails at once, before the answer starts, when the export could not be signed. */
    public void requireSigningKey() {
        signer.requireKey();
    }

    /**
     * @param notice the header: the notice as the regulator should see it
     * @param destination what the caller may see of a destination
     * @param shownText what the caller may see of text from outside (providers' answers and errors, and
     *            the reasons quoting them), which can quote the address
     * @return the hash chain's digest (hex) the trailer carries
     */
    public String write(long noticeId, Map<String, Object> notice, Format format, UnaryOperator<String> destination,
            UnaryOperator<String> shownText, OutputStream out) throws IOException {
        EvidenceWriter lines = new EvidenceWriter(format, json, out);
        // asOf is when the notice finished (or, while it sends, when the export began); each row's "at" is
        // its own last change, later than asOf where a provider reported after the end (a bounce). A
        // finished notice nobody reports on any more exports the same bytes every time (the signature is
        // deterministic too), so a digest quoted elsewhere, as in the regulator summary, matches its copies.
        Object finishedAt = notice.get("completedAt") != null ? notice.get("completedAt") : notice.get("cancelledAt");
        lines.header(noticeId, finishedAt != null ? (OffsetDateTime) finishedAt : OffsetDateTime.now(), notice);
        long after = 0;
        while (true) {
            List<Map<String, Object>> page = page(noticeId, after, destination, shownText);
            for (Map<String, Object> record : page) {
                lines.delivery(record);
            }
            if (page.size() < PAGE) {
                break;
            }
            after = (Long) page.get(page.size() - 1).get("delivery");
        }
        String next = null;
        do {
            // The reasons quote the deliveries' errors, and with them any address a relay quoted.
            SubstituteNotice.Page page = substitute.page(noticeId, next, PAGE).shown(shownText);
            for (SubstituteNotice.Unreached u : page.items()) {
                Map<String, Object> record = EvidenceWriter.record("unreached");
                record.put("customer", u.customerId());
                record.put("country", u.country());
                record.put("region", u.region());
                record.put("why", u.why());
                lines.unreached(record);
            }
            next = page.next();
        } while (next != null);
        return lines.finish(signer::sign);
    }

    /** A page of delivery records, destinations and providers' text as the caller may see them. */
    private List<Map<String, Object>> page(long noticeId, long after, UnaryOperator<String> destination,
            UnaryOperator<String> shownText) {
        List<Map<String, Object>> page = new ArrayList<>(PAGE);
        try (Connection c = dataSource.getConnection(); PreparedStatement statement = c.prepareStatement(DELIVERIES)) {
            statement.setLong(1, noticeId);
            statement.setLong(2, after);
            statement.setInt(3, PAGE);
            try (ResultSet r = statement.executeQuery()) {
                while (r.next()) {
                    Map<String, Object> row = EvidenceWriter.record("delivery");
                    row.put("delivery", r.getLong(1));
                    row.put("customer", r.getString(2));
                    row.put("channel", r.getString(3));
                    row.put("destination", destination.apply(r.getString(4)));
                    row.put("status", r.getString(5));
                    row.put("attempts", r.getInt(6));
                    row.put("at", r.getObject(7, OffsetDateTime.class).toString());
                    row.put("answer", shownText.apply(r.getString(8)));
                    row.put("error", shownText.apply(r.getString(9)));
                    byte[] hash = r.getBytes(10);
                    row.put("contentSha256", hash == null ? null : HexFormat.of().formatHex(hash));
                    long fallbackOf = r.getLong(11);
                    row.put("fallbackOf", r.wasNull() ? null : fallbackOf);
                    page.add(row);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Reading the deliveries of notice " + noticeId + " failed", e);
        }
        return page;
    }
}
