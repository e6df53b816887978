package dev.herald.dispatch;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.herald.support.DefaultToken;
import dev.herald.support.Fixtures;
import dev.herald.support.PushStandIns;
import dev.herald.support.ScriptedSmtpServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * The SMTP reply decides each outcome: 2xx SENT, 4xx (421 closing the connection, 451) retried,
 * 5xx FAILED with the reply kept; and the counts add up exactly.
 */
@QuarkusTest
@ExtendWith(DefaultToken.class)
@TestProfile(SmtpRepliesTest.ScriptedRelay.class)
class SmtpRepliesTest {

    public static class ScriptedRelay implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            // The push stand-ins again: a profile's tests see the resources its own start made.
            return List.of(new TestResourceEntry(ScriptedSmtpServer.class), new TestResourceEntry(PushStandIns.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            // A reply is awaited 2 s: the stalled relay's first answer never comes in time.
            return Map.of("herald.retry.max-attempts", "3", "herald.smtp.timeout", "2s");
        }
    }

    @Test
    void repliesDecideOutcomesAndTheCountsAddUp() {
        List<String> people = new ArrayList<>();
        IntStream.rangeClosed(1, 20).forEach(i -> people.add("ok-" + i));
        IntStream.rangeClosed(1, 5).forEach(i -> people.add("throttled-" + i));
        IntStream.rangeClosed(1, 5).forEach(i -> people.add("busy-" + i));
        IntStream.rangeClosed(1, 3).forEach(i -> people.add("reject-" + i));
        people.add("jammed-1");
        IntStream.rangeClosed(1, 6).forEach(i -> people.add("hangup-" + i));
        IntStream.rangeClosed(1, 2).forEach(i -> people.add("stall-" + i));
        for (String who : people) {
            Fixtures.putCustomer("replies-" + who, Map.of("email", who + "@replies.example", "displayName", who,
                    "tags", List.of("replies")));
        }
        long notice = Fixtures.createNotice(Fixtures.notice("replies", Map.of("criteria", Map.of("tag", "replies"))));
        given().post("/v1/notices/{id}/dispatch", notice).then().statusCode(202);

        Fixtures.awaitCompleted(notice, Duration.ofSeconds(60));

        List<String> retriedOrAccepted = people.stream()
                .filter(p -> p.startsWith("ok-") || p.startsWith("throttled-") || p.startsWith("busy-")
                        || p.startsWith("hangup-") || p.startsWith("stall-"))
                .map(p -> p + "@replies.example").toList();
        JsonPath progress = given().get("/v1/notices/{id}/progress", notice).then().extract().jsonPath();
        assertThat(progress.getInt("byStatus.SENT")).isEqualTo(38);
        assertThat(progress.getInt("byStatus.FAILED")).isEqualTo(4);
        assertThat(progress.getInt("total")).isEqualTo(42);
        assertThat(progress.getMap("byStatus")).hasSize(2);
        // Each accepted once: no retry sent a message twice, none was lost.
        assertThat(ScriptedSmtpServer.accepted().stream().filter(a -> a.endsWith("@replies.example")))
                .containsExactlyInAnyOrderElementsOf(retriedOrAccepted);

        JsonPath throttled = given().get("/v1/customers/{id}/deliveries", "replies-throttled-2").then().extract().jsonPath();
        assertThat(throttled.getString("deliveries[0].delivery.status")).isEqualTo("SENT");
        assertThat(throttled.getInt("deliveries[0].delivery.attempts")).isEqualTo(2);
        assertThat(throttled.getString("deliveries[0].events[0].detail")).startsWith("SMTP 421 4.3.2");

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

        // A relay that read the message and closed without a reply, or did not reply in time, gave no
        // receipt: sent again, SENT only on the 250 of the second attempt, and the first told as unconfirmed.
        for (String who : people.stream().filter(p -> p.startsWith("hangup-") || p.startsWith("stall-")).toList()) {
            JsonPath hungUp = given().get("/v1/customers/{id}/deliveries", "replies-" + who).then().extract()
                    .jsonPath();
            assertThat(hungUp.getString("deliveries[0].delivery.status")).isEqualTo("SENT");
            assertThat(hungUp.getInt("deliveries[0].delivery.attempts")).isEqualTo(2);
            assertThat(hungUp.getList("deliveries[0].events.kind")).containsExactly("RETRY_SCHEDULED");
            assertThat(hungUp.getString("deliveries[0].events[0].detail"))
                    .isEqualTo("SMTP relay closed the connection before confirming the message");
        }

        JsonPath jammed = given().get("/v1/customers/{id}/deliveries", "replies-jammed-1").then().extract().jsonPath();
        assertThat(jammed.getString("deliveries[0].delivery.status")).isEqualTo("FAILED");
        assertThat(jammed.getInt("deliveries[0].delivery.attempts")).isEqualTo(3);
        assertThat(jammed.getString("deliveries[0].delivery.lastError")).startsWith("gave up after 3 attempts; last: SMTP 451");
        assertThat(jammed.getList("deliveries[0].events.kind"))
                .containsExactly("RETRY_SCHEDULED", "RETRY_SCHEDULED", "FAILED");
    }
}
