package dev.herald.customer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.herald.support.HeraldTest;
import io.restassured.http.ContentType;

@HeraldTest
class CustomerResourceTest {

    @Test
    void upsertCreatesThenReplaces() {
        given().contentType(ContentType.JSON)
                .body(Map.of("email", "ana@example.com", "displayName", "Ana", "locale", "pt-BR", "country", "BR",
                        "tags", List.of("psn"), "attributes", Map.of("plan", "plus")))
                .put("/v1/customers/{id}", "cust-upsert")
                .then().statusCode(201)
                .body("id", equalTo("cust-upsert"))
                .body("tags", equalTo(List.of("psn")))
                .body("attributes.plan", equalTo("plus"));
        given().contentType(ContentType.JSON).body(Map.of("email", "ana@example.org", "displayName", "Ana B"))
                .put("/v1/customers/{id}", "cust-upsert")
                .then().statusCode(200).body("email", equalTo("ana@example.org")).body("locale", equalTo(null));
        given().get("/v1/customers/{id}", "cust-upsert").then().statusCode(200).body("displayName", equalTo("Ana B"));
    }

    @Test
    void tagsSurviveCharactersThatMeanSomethingInArrayLiterals() {
        List<String> tags = List.of("a,b", "q\"uote", "back\\slash", "{brace}", "NULL", " spaced ");
        given().contentType(ContentType.JSON).body(Map.of("tags", tags))
                .put("/v1/customers/{id}", "cust-tags")
                .then().statusCode(201);
        given().get("/v1/customers/{id}", "cust-tags").then().body("tags", equalTo(tags));
    }

    @Test
    void invalidFieldsAreNamedInTheProblem() {
        given().contentType(ContentType.JSON)
                .body(Map.of("email", "not-an-address", "locale", "english please", "country", "usa"))
                .put("/v1/customers/{id}", "cust-bad")
                .then().statusCode(400)
                .contentType("application/problem+json")
                .body("status", equalTo(400))
                .body("errors.field", equalTo(List.of("country", "email", "locale")));
        given().get("/v1/customers/{id}", "cust-bad").then().statusCode(404);
    }

    @Test
    void unknownFieldsMalformedJsonAndMismatchedIdsAreRefused() {
        given().contentType(ContentType.JSON).body("{\"email\": \"a@example.com\", \"emial\": \"x\"}")
                .put("/v1/customers/{id}", "cust-typo")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("emial"))
                .body("errors[0].message", startsWith("unknown field 'emial'"));
        given().contentType(ContentType.JSON).body("{\"email\": ")
                .put("/v1/customers/{id}", "cust-typo")
                .then().statusCode(400).contentType("application/problem+json")
                .body("title", equalTo("Malformed JSON"));
        given().contentType(ContentType.JSON).body(Map.of("id", "someone-else"))
                .put("/v1/customers/{id}", "cust-typo")
                .then().statusCode(400).body("errors[0].field", equalTo("id"));
        given().get("/v1/customers/{id}", "cust-typo").then().statusCode(404)
                .contentType("application/problem+json")
                .body("detail", equalTo("customer 'cust-typo' does not exist"));
    }

    @Test
    void ndjsonImportKeepsGoodLinesAndReportsBadOnesByNumber() {
        String body = """
                {"id": "imp-1", "email": "imp1@example.com", "locale": "en"}
                {"id": "imp-2", "email": "broken"}

                {"id": "imp-3", "displayName": "Three", "tags": ["a", "b"]}
                not json at all
                {"id": "imp-4", "colour": "red"}
                {"email": "noid@example.com"}
                {"id": "imp-1", "email": "imp1-new@example.com"}
                """;
        given().contentType("application/x-ndjson").body(body.getBytes(StandardCharsets.UTF_8))
                .post("/v1/customers/import")
                .then().statusCode(200)
                .body("received", equalTo(7))
                .body("inserted", equalTo(2))
                .body("updated", equalTo(1))
                .body("rejected", equalTo(4))
                .body("rejections.line", equalTo(List.of(2, 5, 6, 7)))
                .body("rejections[0].reason", containsString("email"))
                .body("rejections[1].reason", startsWith("not valid JSON"))
                .body("rejections[2].reason", equalTo("unknown field 'colour'"))
                .body("rejections[3].reason", equalTo("id: must not be blank"));
        given().get("/v1/customers/{id}", "imp-1").then().body("email", equalTo("imp1-new@example.com"));
        given().get("/v1/customers/{id}", "imp-3").then().body("tags", equalTo(List.of("a", "b")));

        given().contentType("application/x-ndjson")
                .body("{\"id\": \"imp-3\", \"displayName\": \"Three\", \"tags\": [\"a\", \"b\"]}\n".getBytes(StandardCharsets.UTF_8))
                .post("/v1/customers/import")
                .then().statusCode(200).body("unchanged", equalTo(1)).body("updated", equalTo(0));
    }

    @Test
    void csvImportReadsTagsAndAttributeColumns() {
        String body = """
                id,email,displayName,locale,country,tags,attributes.plan
                csv-1,csv1@example.com,"Smith, Jo",fr-CA,CA,psn;plus,gold
                csv-2,bad address,,en,US,,
                csv-3,csv3@example.com,Three,en,US
                csv-4,,Four,de,DE,,
                """;
        given().contentType("text/csv").body(body.getBytes(StandardCharsets.UTF_8))
                .post("/v1/customers/import")
                .then().statusCode(200)
                .body("inserted", equalTo(2))
                .body("rejected", equalTo(2))
                .body("rejections.line", equalTo(List.of(3, 4)));
        given().get("/v1/customers/{id}", "csv-1").then()
                .body("displayName", equalTo("Smith, Jo"))
                .body("tags", equalTo(List.of("psn", "plus")))
                .body("attributes.plan", equalTo("gold"));
        given().get("/v1/customers/{id}", "csv-4").then().body("email", equalTo(null));
    }

    @Test
    void csvWithUnknownColumnsIsRefusedBeforeAnythingIsWritten() {
        given().contentType("text/csv").body("id,emial\ncsv-x,x@example.com\n".getBytes(StandardCharsets.UTF_8))
                .post("/v1/customers/import")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("header"))
                .body("errors[0].message", containsString("emial"));
        given().get("/v1/customers/{id}", "csv-x").then().statusCode(404);
    }

    @Test
    void importOfAnotherMediaTypeIsRefused() {
        given().contentType(ContentType.XML).body("<customers/>")
                .post("/v1/customers/import")
                .then().statusCode(415).contentType("application/problem+json");
    }

    @Test
    void customerDeliveriesOfAnUnknownCustomerIs404() {
        given().get("/v1/customers/{id}/deliveries", "nobody-at-all").then().statusCode(404)
                .body("title", equalTo("Not found"));
        given().contentType(ContentType.JSON).body(Map.of("email", "quiet@example.com"))
                .put("/v1/customers/{id}", "cust-quiet").then().statusCode(201);
        given().get("/v1/customers/{id}/deliveries", "cust-quiet").then().statusCode(200)
                .body("deliveries", hasSize(0));
    }

    @Test
    void unknownPathsAnswerProblems() {
        given().get("/v1/nothing-here").then().statusCode(404).contentType("application/problem+json")
                .body("status", equalTo(404));
        given().delete("/v1/customers/{id}", "cust-upsert").then().statusCode(405)
                .contentType("application/problem+json")
                .body("title", equalTo("Method Not Allowed"));
    }
}
