package dev.herald.dispatch;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.herald.support.Fixtures;
import dev.herald.support.ScriptedSmtpServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/** The SMTP reply decides each outcome: 2xx SENT, 4xx retried, 5xx FAILED with the reply kept. */
@QuarkusTest
@TestProfile(SmtpRepliesTest.ScriptedRelay.class)
class SmtpRepliesTest {

    public static class ScriptedRelay implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ScriptedSmtpServer.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("herald.dispatch.max-attempts", "3");
        }
    }

    @Test
    void repliesDecideOutcomesAndTheCountsAddUp() {
        List<String> people = List.of("ok-1", "ok-2", "ok-3", "reject-1", "reject-2", "busy-1", "busy-2", "jammed-1");
        for (String who : people) {
            Fixtures.putCustomer("replies-" + who, Map.of("email", who + "@replies.example", "displayName", who,
                    "tags", List.of("replies")));
        }
        long notice = Fixtures.createNotice(Fixtures.notice("replies", Map.of("criteria", Map.of("tag", "replies"))));
        given().post("/v1/notices/{id}/dispatch", notice).then().statusCode(202);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/v1/notices/{id}", notice)
                .then().body("status", equalTo("COMPLETED")));

        JsonPath progress = given().get("/v1/notices/{id}/progress", notice).then().extract().jsonPath();
        assertThat(progress.getInt("byStatus.SENT")).isEqualTo(5);
        assertThat(progress.getInt("byStatus.FAILED")).isEqualTo(3);
        assertThat(progress.getInt("total")).isEqualTo(8);

        assertThat(ScriptedSmtpServer.accepted()).containsExactlyInAnyOrder("ok-1@replies.example",
                "ok-2@replies.example", "ok-3@replies.example", "busy-1@replies.example", "busy-2@replies.example");

        JsonPath rejected = given().get("/v1/customers/{id}/deliveries", "replies-reject-1").then().extract().jsonPath();
        assertThat(rejected.getString("deliveries[0].delivery.status")).isEqualTo("FAILED");
        assertThat(rejected.getString("deliveries[0].delivery.lastError")).startsWith("SMTP 550 5.1.1");
        assertThat(rejected.getInt("deliveries[0].delivery.attempts")).isEqualTo(1);
        assertThat(rejected.getList("deliveries[0].events.kind")).containsExactly("FAILED");

        JsonPath busy = given().get("/v1/customers/{id}/deliveries", "replies-busy-1").then().extract().jsonPath();
        assertThat(busy.getString("deliveries[0].delivery.status")).isEqualTo("SENT");
        assertThat(busy.getInt("deliveries[0].delivery.attempts")).isEqualTo(2);
        assertThat(busy.getList("deliveries[0].events.kind")).containsExactly("RETRY_SCHEDULED");
        assertThat(busy.getString("deliveries[0].events[0].detail")).startsWith("SMTP 451 4.3.2");

        JsonPath jammed = given().get("/v1/customers/{id}/deliveries", "replies-jammed-1").then().extract().jsonPath();
        assertThat(jammed.getString("deliveries[0].delivery.status")).isEqualTo("FAILED");
        assertThat(jammed.getInt("deliveries[0].delivery.attempts")).isEqualTo(3);
        assertThat(jammed.getString("deliveries[0].delivery.lastError")).startsWith("gave up after 3 attempts; last: SMTP 451");
        assertThat(jammed.getList("deliveries[0].events.kind"))
                .containsExactly("RETRY_SCHEDULED", "RETRY_SCHEDULED", "FAILED");
    }
}
