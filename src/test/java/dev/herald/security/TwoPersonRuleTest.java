package dev.herald.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.herald.support.Fixtures;
import dev.herald.support.HeraldTest;
import dev.herald.support.Tokens;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * A notice to more customers than herald.approval.audience-threshold (1000 in tests) needs a second
 * operator; who created, approved and dispatched it is on the notice and in the audit log.
 */
@HeraldTest
class TwoPersonRuleTest {

    private static final String ALICE = "Bearer " + Tokens.of("alice", "operator");
    private static final String BOB = "Bearer " + Tokens.of("bob", "operator");
    private static final String NORA = "Bearer " + Tokens.of("nora", "notifier");

    @Test
    void aLargeNoticeIsDispatchedOnlyByAnotherOperatorThanTheOneWhoApprovedIt() {
        Fixtures.importCustomers("two-person", 1001);
        long notice = given().header("Authorization", NORA).contentType(ContentType.JSON)
                .body(Fixtures.notice("two-person", Map.of("criteria", Map.of("tag", "two-person"))))
                .post("/v1/notices").then().statusCode(201).extract().jsonPath().getLong("id");

        given().header("Authorization", ALICE).post("/v1/notices/{id}/dispatch", notice)
                .then().statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("reaches 1001 customers; it must be approved"));
        given().header("Authorization", ALICE).post("/v1/notices/{id}/approve", notice)
                .then().statusCode(200).body("approvedBy", equalTo("alice"));
        given().header("Authorization", ALICE).post("/v1/notices/{id}/dispatch", notice)
                .then().statusCode(409).body("detail", containsString("another operator must dispatch it"));
        given().header("Authorization", BOB).post("/v1/notices/{id}/dispatch", notice)
                .then().statusCode(202).body("dispatchedBy", equalTo("bob")).body("createdBy", equalTo("nora"))
                .body("approvedBy", equalTo("alice"));
        given().header("Authorization", BOB).post("/v1/notices/{id}/cancel", notice).then().statusCode(200);

        JsonPath audit = given().queryParam("notice", notice).header("X-Forwarded-For", "203.0.113.9")
                .get("/v1/audit").then().statusCode(200).extract().jsonPath();
        assertThat(audit.getList("items.action")).containsExactly("NOTICE_CREATED", "NOTICE_APPROVED",
                "NOTICE_DISPATCHED", "NOTICE_CANCELLED");
        assertThat(audit.getList("items.actor")).containsExactly("nora", "alice", "bob", "bob");
        assertThat(audit.getList("items.address", String.class)).allMatch(a -> a != null && !a.isBlank());
        assertThat(audit.getString("items[2].detail")).contains("1001");
    }

    @Test
    void importsAndPreviewsAreAuditedWithWhoAndHowMany() {
        String olga = "Bearer " + Tokens.of("olga-audit", "notifier");
        given().header("Authorization", olga).contentType("application/x-ndjson")
                .body("{\"id\": \"aud-1\", \"email\": \"aud-1@example.com\", \"tags\": [\"aud\"]}\nnull\n".getBytes(StandardCharsets.UTF_8))
                .post("/v1/customers/import").then().statusCode(200);
        long notice = given().header("Authorization", olga).contentType(ContentType.JSON)
                .body(Fixtures.notice("audited", Map.of("criteria", Map.of("tag", "aud")))).post("/v1/notices")
                .then().statusCode(201).extract().jsonPath().getLong("id");
        given().header("Authorization", olga).contentType(ContentType.JSON).body(Map.of("customerId", "aud-1"))
                .post("/v1/notices/{id}/preview", notice).then().statusCode(200);
        JsonPath audit = given().queryParam("actor", "olga-audit").get("/v1/audit").then().statusCode(200).extract()
                .jsonPath();
        assertThat(audit.getList("items.action")).containsExactly("CUSTOMERS_IMPORTED", "NOTICE_CREATED",
                "NOTICE_PREVIEWED");
        assertThat(audit.getString("items[0].detail")).isEqualTo("2 lines: 1 inserted, 0 updated, 0 unchanged, 1 refused");
        assertThat(audit.getString("items[2].detail")).isEqualTo("for customer aud-1");
    }

    @Test
    void theAuditLogIsPagedByKeyFilteredByActorAndOnlyForAdmins() {
        String carol = "Bearer " + Tokens.of("carol-audit", "notifier");
        for (int i = 0; i < 3; i++) {
            given().header("Authorization", carol).contentType(ContentType.JSON)
                    .body(Fixtures.notice("audit-" + i, Map.of("criteria", Map.of("tag", "nobody"))))
                    .post("/v1/notices").then().statusCode(201);
        }
        JsonPath first = given().queryParam("actor", "carol-audit").queryParam("limit", 2).get("/v1/audit")
                .then().statusCode(200).extract().jsonPath();
        assertThat(first.getList("items")).hasSize(2);
        long next = first.getLong("next");
        JsonPath second = given().queryParam("actor", "carol-audit").queryParam("after", next).get("/v1/audit")
                .then().statusCode(200).extract().jsonPath();
        assertThat(second.getList("items.detail")).containsExactly("audit-2");
        assertThat(second.getString("next")).isNull();
        given().header("Authorization", ALICE).get("/v1/audit").then().statusCode(403);
    }

    @Test
    void supportSeesContactDataMaskedUnlessTheTokenAlsoCarriesSupportPii() {
        Fixtures.putCustomer("masked-1", Map.of("email", "mallory.customer@example.com", "devices",
                List.of(Map.of("platform", "FCM", "appId", "com.example.app", "token", "f".repeat(40) + "abcdef"))));
        String support = "Bearer " + Tokens.of("sam", "support");
        String supportPii = "Bearer " + Tokens.of("pat", "support", "support-pii");
        given().header("Authorization", support).get("/v1/customers/masked-1")
                .then().statusCode(200).body("email", equalTo("m***@example.com"));
        given().header("Authorization", support).get("/v1/customers/masked-1/devices")
                .then().statusCode(200).body("[0].token", equalTo("…abcdef"));
        given().header("Authorization", supportPii).get("/v1/customers/masked-1")
                .then().statusCode(200).body("email", equalTo("mallory.customer@example.com"));
    }
}
