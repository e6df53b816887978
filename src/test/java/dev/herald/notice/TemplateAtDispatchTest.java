package dev.herald.notice;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.herald.support.Fixtures;
import dev.herald.support.HeraldTest;

/**
 * Templates that pass every check at creation but fail for some real customers: dispatch renders the
 * notice for a sample of its audience and refuses naming the customer; a failure the sample missed
 * pauses the notice with the reason instead of failing deliveries one after another.
 */
@HeraldTest
class TemplateAtDispatchTest {

    @Test
    void aTemplateThatFailsForCustomersWithAnAttributeIsRefusedAtDispatchNamingOne() {
        Fixtures.putCustomer("bomb-a", Map.of("email", "bomb-a@example.com", "tags", List.of("bomb")));
        Fixtures.putCustomer("bomb-b", Map.of("email", "bomb-b@example.com", "tags", List.of("bomb"),
                "attributes", Map.of("plan", "plus")));
        long notice = affectedNotice("bomb", "{#if customer.attributes.plan}Card ending {vars.card.last4}{/if}");
        upload(notice, "{\"customerId\":\"bomb-a\",\"variables\":{\"card\":\"1234\"}}\n"
                + "{\"customerId\":\"bomb-b\",\"variables\":{\"card\":\"5678\"}}\n");

        given().post("/v1/notices/{id}/dispatch", notice).then().statusCode(422)
                .contentType("application/problem+json")
                .body("detail", allOf(containsString("customer 'bomb-b'"), containsString("last4"),
                        org.hamcrest.Matchers.not(containsString("java."))));
        given().get("/v1/notices/{id}", notice).then().body("status", equalTo("DRAFT"))
                .body("progress.total", equalTo(0));
    }

    @Test
    void aSubjectThatGrowsPastItsLimitForSomeCustomersIsRefusedAtDispatch() {
        String longName = "N".repeat(150);
        Fixtures.putCustomer("grow-a", Map.of("email", "grow-a@example.com", "tags", List.of("grow")));
        Fixtures.putCustomer("grow-b", Map.of("email", "grow-b@example.com", "tags", List.of("grow"),
                "displayName", longName, "attributes", Map.of("vip", true)));
        Map<String, Object> request = new HashMap<>(Fixtures.notice("grow", Map.of("criteria", Map.of("tag", "grow"))));
        Map<String, Object> templates = new HashMap<>();
        Map<String, Object> en = new HashMap<>(Fixtures.template("en", "Dear"));
        en.put("subject", "Notice{#if customer.attributes.vip}{#for i in 10}{customer.displayName}{/for}{/if}");
        templates.put("en", en);
        request.put("templates", templates);
        long notice = Fixtures.createNotice(request);

        given().post("/v1/notices/{id}/dispatch", notice).then().statusCode(422)
                .body("detail", allOf(containsString("customer 'grow-b'"), containsString("subject renders to 1506")));
    }

    @Test
    void aFailureTheSampleMissedPausesTheNoticeWithTheReasonAndFailsNoDelivery() {
        StringBuilder list = new StringBuilder();
        for (String id : List.of("late-1", "late-2", "late-3", "late-4", "late-5", "late-6", "late-zz")) {
            Fixtures.putCustomer(id, Map.of("email", id + "@example.com", "attributes", Map.of("plan", "plus")));
            list.append("{\"customerId\":\"").append(id).append("\",\"variables\":{\"card\":")
                    .append(id.equals("late-zz") ? "\"9999\"" : "{\"last4\":\"1234\"}").append("}}\n");
        }
        long notice = affectedNotice("late", "{#if customer.attributes.plan}Card ending {vars.card.last4}{/if}");
        upload(notice, list.toString());
        given().post("/v1/notices/{id}/dispatch", notice).then().statusCode(202);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/v1/notices/{id}", notice).then()
                .body("status", equalTo("PAUSED"))
                .body("pauseReason", allOf(containsString("late-zz"), containsString("last4"),
                        org.hamcrest.Matchers.not(containsString("java.")))));
        given().get("/v1/notices/{id}/progress", notice).then()
                .body("byStatus.FAILED", org.hamcrest.Matchers.anyOf(org.hamcrest.Matchers.nullValue(), equalTo(0)));
    }

    private static long affectedNotice(String name, String text) {
        Map<String, Object> request = new HashMap<>(Fixtures.notice(name, Map.of("affectedAccounts", true)));
        request.put("variables", List.of("card"));
        Map<String, Object> en = new HashMap<>(Fixtures.template("en", "Dear"));
        en.put("text", text);
        request.put("templates", Map.of("en", en));
        return Fixtures.createNotice(request);
    }

    private static void upload(long notice, String lines) {
        given().contentType("application/x-ndjson").body(lines.getBytes(StandardCharsets.UTF_8))
                .post("/v1/notices/{id}/affected", notice).then().statusCode(200).body("rejected", equalTo(0));
    }
}
