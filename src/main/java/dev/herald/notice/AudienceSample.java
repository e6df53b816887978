package dev.herald.notice;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.render.NoticeRenderer.DataUsed;
import dev.herald.render.Recipient;
import dev.herald.render.RecipientRows;
import dev.herald.segment.CriteriaCompiler;
import dev.herald.segment.SqlCondition;
import io.agroal.api.AgroalDataSource;

/**
 * A few real customers of a notice's audience chosen to differ where its templates could: the
 * first ones, one per template locale and one whose locale no template has, one with and one
 * without each attribute and optional field the templates name. Each probe is a LIMIT 1 query, so
 * the sample costs a few index or sequential scans however large the audience.
 */
@ApplicationScoped
public class AudienceSample {

    /** A sampled customer and what made it interesting. */
    public record Sampled(Recipient recipient, String why) {
    }

    private static final int FIRST = 5;
    private static final Map<String, String> OPTIONAL_FIELDS = Map.of("displayName", "c.display_name", "country",
            "c.country", "region", "c.region", "locale", "c.locale");

    private final AgroalDataSource dataSource;
    private final ObjectMapper json;

    AudienceSample(AgroalDataSource dataSource, ObjectMapper json) {
        this.dataSource = dataSource;
        this.json = json;
    }

    private record Probe(String why, String sql, List<Object> params, int limit) {
    }

    public List<Sampled> of(long noticeId, JsonNode audience, Set<String> templateLocales, DataUsed used) {
        List<Probe> probes = new ArrayList<>();
        probes.add(new Probe("one of the first customers", "TRUE", List.of(), FIRST));
        List<String> languages = new ArrayList<>();
        for (String locale : templateLocales) {
            String tag = locale.toLowerCase(Locale.ROOT);
            languages.add(tag.split("-", 2)[0]);
            probes.add(new Probe("locale " + locale, "(lower(c.locale) = ? OR lower(c.locale) LIKE ?)",
                    List.of(tag, tag + "-%"), 1));
        }
        probes.add(new Probe("a locale without a template of its own",
                "(c.locale IS NULL OR NOT split_part(lower(c.locale), '-', 1) = ANY(?))", List.of(languages), 1));
        for (String attribute : used.attributes()) {
            probes.add(new Probe("with attribute '" + attribute + "'", "jsonb_exists(c.attributes, ?)", List.of(attribute), 1));
            probes.add(new Probe("without attribute '" + attribute + "'", "NOT jsonb_exists(c.attributes, ?)", List.of(attribute), 1));
        }
        for (String field : used.fields()) {
            String column = OPTIONAL_FIELDS.get(field);
            if (column != null) {
                probes.add(new Probe("with " + field, column + " IS NOT NULL", List.of(), 1));
                probes.add(new Probe("without " + field, column + " IS NULL", List.of(), 1));
            }
        }
        boolean affected = audience.has("affectedAccounts");
        SqlCondition condition = CriteriaCompiler.forAudience(audience);
        String from = " FROM customer c " + (affected ? "JOIN affected_account a ON a.notice_id = ? AND a.customer_id = c.id"
                : "LEFT JOIN affected_account a ON FALSE") + " WHERE (" + condition.sql() + ") AND ";
        StringBuilder sql = new StringBuilder();
        List<Object> params = new ArrayList<>();
        for (Probe probe : probes) {
            sql.append(sql.length() == 0 ? "" : " UNION ALL ").append("(SELECT ").append(RecipientRows.COLUMNS)
                    .append(", ?::text").append(from).append(probe.sql()).append(" ORDER BY c.id LIMIT ")
                    .append(probe.limit()).append(")");
            params.add(probe.why());
            if (affected) {
                params.add(noticeId);
            }
            params.addAll(condition.params());
            params.addAll(probe.params());
        }
        List<Sampled> sampled = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < params.size(); i++) {
                statement.setObject(i + 1, params.get(i) instanceof List<?> list
                        ? connection.createArrayOf("text", list.toArray()) : params.get(i));
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    sampled.add(new Sampled(RecipientRows.read(rows, json), rows.getString(10)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Sampling the audience of notice " + noticeId + " failed", e);
        }
        return sampled;
    }
}
