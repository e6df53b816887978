package dev.herald.evidence;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;

import io.agroal.api.AgroalDataSource;

/**
 * A notice's evidence, streamed: a header line with the notice and its facts, one line per delivery
 * (customer, channel, destination as the caller may see it, status, attempts, time and answer of its
 * last change, SHA-256 of what was sent), one line per customer no channel reached, then a trailer
 * with the hash chain's digest over every line before it and an Ed25519 signature of that digest.
 * Deliveries are read a page at a time, each page in a short query of its own: memory stays flat and
 * no transaction stays open while the caller reads.
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
    static final List<String> COLUMNS = List.of("record", "delivery", "customer", "channel", "destination", "status",
            "attempts", "at", "answer", "error", "contentSha256", "fallbackOf", "country", "region", "why");

    private final AgroalDataSource dataSource;
    private final SubstituteNotice substitute;
    private final EvidenceSigner signer;
    private final ObjectWriter json;
    private final ObjectWriter csv;

    EvidenceExport(AgroalDataSource dataSource, SubstituteNotice substitute, EvidenceSigner signer, ObjectMapper json) {
        this.dataSource = dataSource;
        this.substitute = substitute;
        this.signer = signer;
        this.json = json.writer();
        CsvSchema.Builder schema = CsvSchema.builder();
        COLUMNS.forEach(schema::addColumn);
        this.csv = new CsvMapper().writer(schema.build().withLineSeparator(""));
    }

    /** Fails at once, before the answer starts, when the export could not be signed. */
    public void requireSigningKey() {
        signer.requireKey();
    }

    /**
     * @param notice the header: the notice as the regulator should see it
     * @param destination what the caller may see of a destination
     * @return the hash chain's digest (hex) the trailer carries
     */
    public String write(long noticeId, Map<String, Object> notice, Format format, UnaryOperator<String> destination,
            OutputStream out) throws IOException {
        EvidenceChain chain = new EvidenceChain();
        if (format == Format.NDJSON) {
            Map<String, Object> header = new LinkedHashMap<>();
            header.put("evidence", EvidenceChain.FORMAT);
            // A finished notice exports the same bytes every time (the signature is deterministic too), so a
            // digest quoted elsewhere, as in the regulator summary, matches any copy made since.
            Object finishedAt = notice.get("completedAt") != null ? notice.get("completedAt") : notice.get("cancelledAt");
            header.put("asOf", finishedAt != null ? finishedAt : OffsetDateTime.now());
            header.put("notice", notice);
            line(out, chain, json.writeValueAsBytes(header));
        } else {
            line(out, chain, String.join(",", COLUMNS).getBytes(StandardCharsets.UTF_8));
        }
        long rows = 0;
        long after = 0;
        while (true) {
            List<Map<String, Object>> page = page(noticeId, after);
            for (Map<String, Object> row : page) {
                row.put("destination", destination.apply((String) row.get("destination")));
                line(out, chain, record(format, row));
            }
            rows += page.size();
            if (page.size() < PAGE) {
                break;
            }
            after = (Long) page.get(page.size() - 1).get("delivery");
        }
        long unreached = 0;
        String next = null;
        do {
            SubstituteNotice.Page page = substitute.page(noticeId, next, PAGE);
            for (SubstituteNotice.Unreached u : page.items()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("record", "unreached");
                row.put("customer", u.customerId());
                row.put("country", u.country());
                row.put("region", u.region());
                row.put("why", u.why());
                line(out, chain, record(format, row));
                unreached++;
            }
            next = page.next();
        } while (next != null);
        byte[] digest = chain.digest();
        String signature = Base64.getEncoder().encodeToString(signer.sign(digest));
        String hex = HexFormat.of().formatHex(digest);
        if (format == Format.NDJSON) {
            Map<String, Object> trailer = new LinkedHashMap<>();
            trailer.put("deliveries", rows);
            trailer.put("unreached", unreached);
            trailer.put("lines", chain.lines());
            trailer.put("chain", "SHA-256, from SHA-256(\"" + EvidenceChain.FORMAT + "\"), over each line before this one");
            trailer.put("digest", hex);
            trailer.put("algorithm", EvidenceSigner.ALGORITHM);
            trailer.put("signature", signature);
            out.write(json.writeValueAsBytes(trailer));
        } else {
            out.write(("#" + EvidenceChain.FORMAT + " deliveries=" + rows + " unreached=" + unreached + " lines="
                    + chain.lines() + " digest=" + hex + " algorithm=" + EvidenceSigner.ALGORITHM + " signature="
                    + signature).getBytes(StandardCharsets.US_ASCII));
        }
        out.write('\n');
        out.flush();
        return hex;
    }

    private byte[] record(Format format, Map<String, Object> row) throws IOException {
        if (format == Format.NDJSON) {
            return json.writeValueAsBytes(row);
        }
        List<Object> values = new ArrayList<>(COLUMNS.size());
        COLUMNS.forEach(column -> values.add(row.get(column)));
        return csv.writeValueAsBytes(values);
    }

    private static void line(OutputStream out, EvidenceChain chain, byte[] line) throws IOException {
        chain.add(line);
        out.write(line);
        out.write('\n');
    }

    private List<Map<String, Object>> page(long noticeId, long after) {
        List<Map<String, Object>> page = new ArrayList<>(PAGE);
        try (Connection c = dataSource.getConnection(); PreparedStatement statement = c.prepareStatement(DELIVERIES)) {
            statement.setLong(1, noticeId);
            statement.setLong(2, after);
            statement.setInt(3, PAGE);
            try (ResultSet r = statement.executeQuery()) {
                while (r.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("record", "delivery");
                    row.put("delivery", r.getLong(1));
                    row.put("customer", r.getString(2));
                    row.put("channel", r.getString(3));
                    row.put("destination", r.getString(4));
                    row.put("status", r.getString(5));
                    row.put("attempts", r.getInt(6));
                    row.put("at", r.getObject(7, OffsetDateTime.class).toString());
                    row.put("answer", r.getString(8));
                    row.put("error", r.getString(9));
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
