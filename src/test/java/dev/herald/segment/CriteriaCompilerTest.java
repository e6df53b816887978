package dev.herald.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.ops.InvalidInputException;

class CriteriaCompilerTest {

    private final ObjectMapper json = new ObjectMapper();

    private SqlCondition compile(String criteria) throws Exception {
        JsonNode node = json.readTree(criteria);
        return CriteriaCompiler.compile(node, "criteria");
    }

    @Test
    void compilesNestedConditionsWithValuesOnlyAsParameters() throws Exception {
        SqlCondition condition = compile("""
                {"all": [{"field": "country", "in": ["US", "CA"]},
                         {"any": [{"tag": "psn"}, {"attribute": "plan", "eq": "plus"}]},
                         {"not": {"field": "created_at", "before": "2026-01-01T00:00:00Z"}},
                         {"field": "email", "present": true}]}""");
        assertThat(condition.sql()).isEqualTo("(c.country = ANY(?)) AND ((c.tags @> ARRAY[?]::text[]) OR "
                + "(c.attributes ->> ? = ?)) AND (NOT (c.created_at < ?)) AND (c.email IS NOT NULL)");
        assertThat(condition.params()).hasSize(5);
        assertThat((String[]) condition.params().get(0)).containsExactly("US", "CA");
        assertThat(condition.params().subList(1, 4)).containsExactly("psn", "plan", "plus");
    }

    @Test
    void aValueThatLooksLikeSqlStaysAValue() throws Exception {
        SqlCondition condition = compile("{\"field\": \"country\", \"eq\": \"US' OR '1'='1\"}");
        assertThat(condition.sql()).isEqualTo("c.country = ?");
        assertThat(condition.params()).containsExactly("US' OR '1'='1");
    }

    @Test
    void unknownFieldsAndOperatorsAreNamedWithTheirPath() {
        assertThatThrownBy(() -> compile("{\"all\": [{\"tag\": \"x\"}, {\"field\": \"contry\", \"eq\": \"US\"}]}"))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("criteria.all[1].field: unknown field 'contry'");
        assertThatThrownBy(() -> compile("{\"field\": \"country\", \"like\": \"U%\"}"))
                .hasMessageContaining("criteria: needs exactly one operator of [eq, in], found [like]");
        assertThatThrownBy(() -> compile("{\"field\": \"created_at\", \"before\": \"last tuesday\"}"))
                .hasMessageStartingWith("criteria.before: must be an ISO 8601 timestamp");
        assertThatThrownBy(() -> compile("{\"any\": []}"))
                .hasMessageStartingWith("criteria.any: must be a non-empty array");
        assertThatThrownBy(() -> compile("{\"tag\": \"x\", \"extra\": 1}"))
                .hasMessageStartingWith("criteria.extra: unexpected here");
        assertThatThrownBy(() -> compile("{\"everyone\": true}"))
                .hasMessageStartingWith("criteria: unknown condition [everyone]");
        assertThatThrownBy(() -> compile("[1]")).hasMessageStartingWith("criteria: must be an object");
    }
}
