package dev.herald.segment;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.ops.InvalidInputException;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Compiles the audience criteria language of the README's "Audience criteria" to SQL. Values only ever travel as bind
 * parameters; field names come from a fixed table, never from the input.
 *
 * <pre>
 * {"all": [c, ...]}   {"any": [c, ...]}   {"not": c}
 * {"field": "country", "in": ["US", "CA"]}   {"field": "locale", "eq": "fr"}
 * {"field": "email", "present": true}
 * {"field": "created_at", "before": "2026-01-01T00:00:00Z"}   ... "after": ...
 * {"tag": "psn"}
 * {"attribute": "plan", "eq": "plus"}   {"attribute": "plan", "in": ["plus", "pro"]}
 * </pre>
 */
public final class CriteriaCompiler {

    private static final Map<String, String> TEXT_FIELDS = Map.of("id", "c.id", "email", "c.email",
            "display_name", "c.display_name", "locale", "c.locale", "country", "c.country", "region", "c.region");
    private static final Map<String, String> TIME_FIELDS = Map.of("created_at", "c.created_at", "updated_at",
            "c.updated_at");
    private static final int MAX_NODES = 500;

    private final List<Object> params = new ArrayList<>();
    private int nodes;

    private CriteriaCompiler() {
    }

    public static SqlCondition compile(JsonNode criteria, String path) {
        CriteriaCompiler compiler = new CriteriaCompiler();
        String sql = compiler.node(criteria, path);
        return new SqlCondition(sql, List.copyOf(compiler.params));
    }

    /** The condition a notice's audience ({"criteria": …}, {"segmentId": …} or an affected list) puts on customers. */
    public static SqlCondition forAudience(JsonNode audience) {
        if (audience.has("criteria")) {
            return compile(audience.get("criteria"), "audience.criteria");
        }
        if (audience.has("segmentId")) {
            long segmentId = audience.get("segmentId").asLong();
            Segment segment = QuarkusTransaction.requiringNew().call(() -> Segment.<Segment>findById(segmentId));
            return compile(segment.criteria, "segment.criteria");
        }
        return SqlCondition.ALWAYS;
    }

    private String node(JsonNode node, String path) {
        if (++nodes > MAX_NODES) {
            throw InvalidInputException.of(path, "criteria are limited to " + MAX_NODES + " conditions");
        }
        if (node == null || !node.isObject()) {
            throw InvalidInputException.of(path, "must be an object such as {\"field\": \"country\", \"in\": [\"US\"]}");
        }
        Set<String> keys = keys(node);
        if (keys.contains("all") || keys.contains("any")) {
            String op = keys.contains("all") ? "all" : "any";
            only(node, path, Set.of(op));
            return list(node.get(op), path + "." + op, op.equals("all") ? " AND " : " OR ");
        }
        if (keys.contains("not")) {
            only(node, path, Set.of("not"));
            return "NOT (" + node(node.get("not"), path + ".not") + ")";
        }
        if (keys.contains("tag")) {
            only(node, path, Set.of("tag"));
            params.add(text(node.get("tag"), path + ".tag"));
            return "c.tags @> ARRAY[?]::text[]";
        }
        if (keys.contains("attribute")) {
            params.add(text(node.get("attribute"), path + ".attribute"));
            return comparison(node, path, Set.of("eq", "in"), "c.attributes ->> ?");
        }
        if (keys.contains("field")) {
            String field = text(node.get("field"), path + ".field");
            if (TEXT_FIELDS.containsKey(field)) {
                if (keys.contains("present")) {
                    only(node, path, Set.of("field", "present"));
                    JsonNode present = node.get("present");
                    if (!present.isBoolean()) {
                        throw InvalidInputException.of(path + ".present", "must be true or false");
                    }
                    return TEXT_FIELDS.get(field) + (present.booleanValue() ? " IS NOT NULL" : " IS NULL");
                }
                return comparison(node, path, Set.of("eq", "in"), TEXT_FIELDS.get(field));
            }
            if (TIME_FIELDS.containsKey(field)) {
                String op = operator(node, path, Set.of("before", "after"));
                params.add(time(node.get(op), path + "." + op));
                return TIME_FIELDS.get(field) + (op.equals("before") ? " < ?" : " >= ?");
            }
            Set<String> known = new TreeSet<>(TEXT_FIELDS.keySet());
            known.addAll(TIME_FIELDS.keySet());
            throw InvalidInputException.of(path + ".field", "unknown field '" + field + "'; known fields: " + known);
        }
        throw InvalidInputException.of(path, "unknown condition " + keys
                + "; expected one of all, any, not, field, tag, attribute");
    }

    private String list(JsonNode items, String path, String joiner) {
        if (items == null || !items.isArray() || items.isEmpty()) {
            throw InvalidInputException.of(path, "must be a non-empty array of conditions");
        }
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            parts.add("(" + node(items.get(i), path + "[" + i + "]") + ")");
        }
        return String.join(joiner, parts);
    }

    /** {@code eq} or {@code in} on a text expression; adds the value parameters. */
    private String comparison(JsonNode node, String path, Set<String> ops, String expression) {
        String op = operator(node, path, ops);
        if (op.equals("eq")) {
            params.add(text(node.get("eq"), path + ".eq"));
            return expression + " = ?";
        }
        JsonNode values = node.get("in");
        if (!values.isArray() || values.isEmpty()) {
            throw InvalidInputException.of(path + ".in", "must be a non-empty array of strings");
        }
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            texts.add(text(values.get(i), path + ".in[" + i + "]"));
        }
        params.add(texts.toArray(String[]::new));
        return expression + " = ANY(?)";
    }

    private static String operator(JsonNode node, String path, Set<String> ops) {
        Set<String> present = keys(node);
        present.removeIf(k -> k.equals("field") || k.equals("attribute"));
        if (present.size() != 1 || !ops.contains(present.iterator().next())) {
            throw InvalidInputException.of(path, "needs exactly one operator of " + new TreeSet<>(ops) + ", found "
                    + present);
        }
        return present.iterator().next();
    }

    private static void only(JsonNode node, String path, Set<String> allowed) {
        for (String key : keys(node)) {
            if (!allowed.contains(key)) {
                throw InvalidInputException.of(path + "." + key, "unexpected here; this condition takes "
                        + new TreeSet<>(allowed));
            }
        }
    }

    private static String text(JsonNode value, String path) {
        if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
            throw InvalidInputException.of(path, "must be a non-empty string");
        }
        return value.textValue();
    }

    private static OffsetDateTime time(JsonNode value, String path) {
        try {
            return OffsetDateTime.parse(text(value, path));
        } catch (DateTimeParseException e) {
            throw InvalidInputException.of(path, "must be an ISO 8601 timestamp with offset, such as 2026-01-31T00:00:00Z");
        }
    }

    private static Set<String> keys(JsonNode node) {
        Set<String> keys = new TreeSet<>();
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            keys.add(names.next());
        }
        return keys;
    }
}
