package dev.herald.evidence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

import jakarta.enterprise.context.ApplicationScoped;

import io.agroal.api.AgroalDataSource;

/**
 * The affected customers no channel reached (no contact data, or every channel failed, bounced or was
 * skipped), counted per law, and whether a law's condition for substitute notice (a website posting,
 * the media) is met, so the company knows to give it.
 */
@ApplicationScoped
public class SubstituteNotice {

    /** California: substitute notice when more than this many people are affected (1798.82(j)(3)). */
    static final long CALIFORNIA_MORE_THAN = 500_000;
    /** HIPAA: website or media notice when this many or more have out-of-date contact data (164.404(d)(2)(ii)). */
    static final long HIPAA_AT_LEAST = 10;

    public record PerLaw(Jurisdiction jurisdiction, long affected, long unreached, long withoutContactData,
            boolean substituteNoticeRequired, String why) {
    }

    public record Summary(long unreached, List<PerLaw> byJurisdiction) {
    }

    public record Unreached(String customerId, String country, String region, String why) {
    }

    public record Page(List<Unreached> items, String next) {

        /** The page with each reason as the caller may see it: a relay's reply can quote the address. */
        public Page shown(UnaryOperator<String> textShown) {
            return new Page(items.stream().map(u -> new Unreached(u.customerId(), u.country(), u.region(),
                    textShown.apply(u.why()))).toList(), next);
        }
    }

    private static final String UNREACHED = """
            SELECT d.customer_id, min(c.country), min(c.region),
                   string_agg(d.channel::text || ' ' || d.status::text || coalesce(': ' || d.last_error, ''), '; ' ORDER BY d.id)
              FROM delivery d LEFT JOIN customer c ON c.id = d.customer_id
             WHERE d.notice_id = ? AND d.customer_id > ?
             GROUP BY d.customer_id
            HAVING bool_and(d.status IN ('FAILED', 'BOUNCED', 'SKIPPED'))
             ORDER BY d.customer_id LIMIT ?
            """;

    private final AgroalDataSource dataSource;

    SubstituteNotice(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** One pass over the notice's deliveries; for a notice still sending, the customers not reached so far. */
    public Summary summary(long noticeId, Set<Jurisdiction> jurisdictions) {
        StringBuilder sql = new StringBuilder("""
                WITH per AS (
                       SELECT d.customer_id, bool_and(d.status IN ('FAILED', 'BOUNCED', 'SKIPPED')) AS unreached,
                              bool_and(d.destination IS NULL) AS no_contact
                         FROM delivery d WHERE d.notice_id = ? GROUP BY d.customer_id)
                SELECT count(*) FILTER (WHERE unreached)""");
        List<Jurisdiction> order = new ArrayList<>(jurisdictions);
        for (Jurisdiction j : order) {
            String in = j.customerCondition();
            sql.append(", count(*) FILTER (WHERE ").append(in).append(")")
                    .append(", count(*) FILTER (WHERE unreached AND ").append(in).append(")")
                    .append(", count(*) FILTER (WHERE unreached AND no_contact AND ").append(in).append(")");
        }
        sql.append(" FROM per LEFT JOIN customer c ON c.id = per.customer_id");
        try (Connection c = dataSource.getConnection(); PreparedStatement statement = c.prepareStatement(sql.toString())) {
            statement.setLong(1, noticeId);
            try (ResultSet row = statement.executeQuery()) {
                row.next();
                List<PerLaw> perLaw = new ArrayList<>();
                for (int i = 0; i < order.size(); i++) {
                    long affected = row.getLong(2 + 3 * i);
                    long unreached = row.getLong(3 + 3 * i);
                    long noContact = row.getLong(4 + 3 * i);
                    perLaw.add(condition(order.get(i), affected, unreached, noContact));
                }
                return new Summary(row.getLong(1), perLaw);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Counting the customers notice " + noticeId + " did not reach failed", e);
        }
    }

    private static PerLaw condition(Jurisdiction j, long affected, long unreached, long noContact) {
        return switch (j) {
            case CALIFORNIA -> affected > CALIFORNIA_MORE_THAN
                    ? new PerLaw(j, affected, unreached, noContact, true, "more than 500,000 California residents "
                            + "affected: substitute notice (email, website posting, statewide media) may replace notice")
                    : noContact > 0
                            ? new PerLaw(j, affected, unreached, noContact, true, noContact + " California residents "
                                    + "without contact information: substitute notice (website posting, statewide media)")
                            : new PerLaw(j, affected, unreached, noContact, false, null);
            case HIPAA -> unreached >= HIPAA_AT_LEAST
                    ? new PerLaw(j, affected, unreached, noContact, true, unreached + " individuals not reached (10 or "
                            + "more): a conspicuous website posting for 90 days or major print or broadcast media, with "
                            + "a toll-free number (164.404(d)(2)(ii))")
                    : new PerLaw(j, affected, unreached, noContact, false, unreached > 0 ? "fewer than 10 not reached: "
                            + "an alternative written notice, by telephone or other means (164.404(d)(2)(i))" : null);
            default -> new PerLaw(j, affected, unreached, noContact, false, null);
        };
    }

    /** The customers not reached, by customer id, after {@code after}. */
    public Page page(long noticeId, String after, int limit) {
        List<Unreached> items = new ArrayList<>(limit);
        try (Connection c = dataSource.getConnection(); PreparedStatement statement = c.prepareStatement(UNREACHED)) {
            statement.setLong(1, noticeId);
            statement.setString(2, after == null ? "" : after);
            statement.setInt(3, limit + 1);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    items.add(new Unreached(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Listing the customers notice " + noticeId + " did not reach failed", e);
        }
        boolean more = items.size() > limit;
        List<Unreached> page = more ? items.subList(0, limit) : items;
        return new Page(List.copyOf(page), more ? page.get(page.size() - 1).customerId() : null);
    }
}
