package dev.herald.notice;

import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.notice.NoticeDtos.AffectedAccount;
import dev.herald.notice.NoticeDtos.AffectedUploadReport;
import dev.herald.ops.DistinctBatch;
import dev.herald.ops.InputLimits;
import dev.herald.ops.Jdbc;
import dev.herald.ops.NdjsonLines;
import dev.herald.ops.Rejections;
import io.agroal.api.AgroalDataSource;

/**
 * A notice's affected-account list: who was affected and their per-customer variables. Uploaded as
 * NDJSON, streamed in batches; a line naming an unknown customer or the wrong variables is refused
 * by number and the rest are kept.
 */
@ApplicationScoped
public class AffectedAccounts {

    private static final int BATCH = 1000;
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    /** Inserts the lines whose customer exists, and returns the line numbers of those whose customer does not. */
    private static final String UPSERT = """
            WITH v AS (SELECT * FROM unnest(?::bigint[], ?::text[], ?::jsonb[]) AS v(line, customer_id, variables)),
                 written AS (
                   INSERT INTO affected_account (notice_id, customer_id, variables)
                   SELECT ?, v.customer_id, v.variables FROM v JOIN customer c ON c.id = v.customer_id
                   ON CONFLICT (notice_id, customer_id) DO UPDATE SET variables = excluded.variables
                   RETURNING customer_id)
            SELECT v.line, v.customer_id FROM v
             WHERE NOT EXISTS (SELECT 1 FROM customer c WHERE c.id = v.customer_id)
            """;

    private record Line(long number, AffectedAccount account) {
    }

    private final AgroalDataSource dataSource;
    private final ObjectMapper json;
    private final InputLimits limits;

    AffectedAccounts(AgroalDataSource dataSource, ObjectMapper json, InputLimits limits) {
        this.dataSource = dataSource;
        this.json = json;
        this.limits = limits;
    }

    public AffectedUploadReport upload(long noticeId, List<String> declared, InputStream body) {
        Rejections rejections = new Rejections();
        long[] counts = new long[2]; // received, accepted
        DistinctBatch<Line> batch = new DistinctBatch<>(BATCH, l -> l.account().customerId(),
                lines -> counts[1] += write(noticeId, lines, rejections));
        NdjsonLines.read(body, json, AffectedAccount.class, limits.importLine(), new NdjsonLines.Handler<>() {
            @Override
            public void parsed(long line, AffectedAccount account) {
                counts[0]++;
                String problem = problemWith(account, declared);
                if (problem != null) {
                    rejections.add(line, problem);
                } else {
                    batch.add(new Line(line, account));
                }
            }

            @Override
            public void refused(long line, String reason) {
                counts[0]++;
                rejections.add(line, reason);
            }
        });
        batch.flush();
        return new AffectedUploadReport(counts[0], counts[1], rejections.count(), rejections.kept());
    }

    public long count(long noticeId) {
        try (Connection connection = dataSource.getConnection()) {
            return Jdbc.queryOne(connection, Long.class, "SELECT count(*) FROM affected_account WHERE notice_id = ?",
                    noticeId);
        } catch (SQLException e) {
            throw new IllegalStateException("Affected-account count failed", e);
        }
    }

    /** The customer's variables for this notice, or null when the customer is not on its list. */
    public Map<String, Object> variablesOf(long noticeId, String customerId) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT variables::text FROM affected_account WHERE notice_id = ? AND customer_id = ?")) {
            statement.setLong(1, noticeId);
            statement.setString(2, customerId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? json.readValue(rows.getString(1), MAP) : null;
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("Affected-account read failed", e);
        }
    }

    private static String problemWith(AffectedAccount account, List<String> declared) {
        if (account.customerId() == null || account.customerId().isBlank()) {
            return "customerId: must not be blank";
        }
        Map<String, Object> given = account.variables() == null ? Map.of() : account.variables();
        Set<String> missing = new TreeSet<>(declared);
        missing.removeAll(given.keySet());
        Set<String> unknown = new TreeSet<>(given.keySet());
        declared.forEach(unknown::remove);
        if (!missing.isEmpty() || !unknown.isEmpty()) {
            return "variables: " + (missing.isEmpty() ? "" : "missing " + missing + " ")
                    + (unknown.isEmpty() ? "" : "not declared by the notice " + unknown + " ")
                    + "(the notice declares " + declared + ")";
        }
        return null;
    }

    private long write(long noticeId, List<Line> lines, Rejections rejections) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(UPSERT)) {
            statement.setArray(1, connection.createArrayOf("bigint", lines.stream().map(Line::number).toArray()));
            statement.setArray(2, connection.createArrayOf("text",
                    lines.stream().map(l -> l.account().customerId()).toArray()));
            String[] variables = new String[lines.size()];
            for (int i = 0; i < variables.length; i++) {
                Map<String, Object> v = lines.get(i).account().variables();
                variables[i] = json.writeValueAsString(v == null ? Map.of() : v);
            }
            statement.setArray(3, connection.createArrayOf("text", variables));
            statement.setLong(4, noticeId);
            long unknown = 0;
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    unknown++;
                    rejections.add(rows.getLong(1), "customerId: customer '" + rows.getString(2) + "' does not exist");
                }
            }
            return lines.size() - unknown;
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("Affected-account upload failed", e);
        }
    }
}
