package dev.herald.segment;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.herald.support.Fixtures;
import dev.herald.support.HeraldTest;
import io.restassured.http.ContentType;

@HeraldTest
class SegmentResourceTest {

    @BeforeEach
    void customers() {
        Fixtures.putCustomer("seg-1", Map.of("country", "US", "tags", List.of("seg", "psn"), "attributes", Map.of("plan", "plus")));
        Fixtures.putCustomer("seg-2", Map.of("country", "CA", "tags", List.of("seg")));
        Fixtures.putCustomer("seg-3", Map.of("country", "FR", "tags", List.of("seg", "psn"), "attributes", Map.of("plan", "free")));
    }

    @Test
    void countsTheAudienceOfCriteria() {
        count(Map.of("tag", "seg"), 3);
        count(Map.of("all", List.of(Map.of("tag", "seg"), Map.of("field", "country", "in", List.of("US", "CA")))), 2);
        count(Map.of("all", List.of(Map.of("tag", "psn"), Map.of("attribute", "plan", "eq", "plus"))), 1);
        count(Map.of("all", List.of(Map.of("tag", "seg"), Map.of("not", Map.of("tag", "psn")))), 1);
        count(Map.of("all", List.of(Map.of("tag", "seg"), Map.of("field", "country", "eq", "US' OR '1'='1"))), 0);
    }

    @Test
    void savesAndReadsASegmentWithItsSize() {
        long id = given().contentType(ContentType.JSON)
                .body(Map.of("name", "psn players", "criteria", Map.of("all", List.of(Map.of("tag", "seg"), Map.of("tag", "psn")))))
                .post("/v1/segments")
                .then().statusCode(201).body("count", equalTo(2)).extract().jsonPath().getLong("id");
        given().get("/v1/segments/{id}", id).then().statusCode(200)
                .body("name", equalTo("psn players"))
                .body("criteria.all[1].tag", equalTo("psn"))
                .body("count", equalTo(2));
        given().contentType(ContentType.JSON)
                .body(Map.of("name", "psn players", "criteria", Map.of("tag", "psn")))
                .post("/v1/segments")
                .then().statusCode(409).contentType("application/problem+json");
    }

    @Test
    void badCriteriaAndMissingSegmentsAreProblems() {
        given().contentType(ContentType.JSON)
                .body(Map.of("name", "typo", "criteria", Map.of("field", "contry", "eq", "US")))
                .post("/v1/segments")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("criteria.field"))
                .body("errors[0].message", startsWith("unknown field 'contry'"));
        given().contentType(ContentType.JSON).body(Map.of("name", "no criteria"))
                .post("/v1/segments")
                .then().statusCode(400).body("errors[0].field", equalTo("criteria"));
        given().get("/v1/segments/{id}", 999_999).then().statusCode(404).contentType("application/problem+json");
    }

    private static void count(Map<String, Object> criteria, int expected) {
        given().contentType(ContentType.JSON).body(Map.of("criteria", criteria))
                .post("/v1/segments/count")
                .then().statusCode(200).body("count", equalTo(expected));
    }
}
