package dev.herald.dispatch;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.herald.support.Fixtures;
import dev.herald.support.HeraldTest;
import dev.herald.support.SmtpServer;
import dev.herald.support.Tokens;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/** Pause, resume, cancel and the send limit, on a notice slowed down by the limit so that it can be caught running. */
@HeraldTest
class NoticeControlTest {

    private static final int CUSTOMERS = 300;
    private static final double RATE = 40;

    @AfterEach
    void liftTheLimit() {
        Fixtures.emailLimit(10_000, 4);
    }

    @Test
    void pauseStopsSendingWithinSecondsAndResumeFinishesEveryoneExactlyOnce() throws Exception {
        Fixtures.importCustomers("pause", CUSTOMERS);
        Fixtures.emailLimit(RATE, 2);
        long notice = Fixtures.dispatchToTag("pause");

        await().atMost(Duration.ofSeconds(30)).until(() -> received("pause") >= 20);
        int before = received("pause");
        Thread.sleep(2_000);
        int during = received("pause") - before;
        // The limit holds (its burst is a tenth of a second's worth); a send rate is not asserted from below.
        assertThat(during).as("emails in 2 s at %s/s", RATE).isPositive().isLessThanOrEqualTo((int) (2 * RATE) + 8);

        given().post("/v1/notices/{id}/pause", notice).then().statusCode(200)
                .body("status", equalTo("PAUSED")).body("pausedAt", org.hamcrest.Matchers.notNullValue());
        Thread.sleep(5_000);
        int atFiveSeconds = received("pause");
        Thread.sleep(3_000);
        assertThat(received("pause")).as("emails sent 5 to 8 s after the pause").isEqualTo(atFiveSeconds);
        assertThat(atFiveSeconds).isLessThan(CUSTOMERS);
        JsonPath paused = progress(notice);
        assertThat(paused.getInt("byStatus.SENT")).isEqualTo(atFiveSeconds);
        given().post("/v1/notices/{id}/pause", notice).then().statusCode(200).body("status", equalTo("PAUSED"));

        Fixtures.emailLimit(10_000, 4);
        given().post("/v1/notices/{id}/resume", notice).then().statusCode(200).body("status", equalTo("DISPATCHING"));
        Fixtures.awaitCompleted(notice, Duration.ofSeconds(60));
        assertThat(given().queryParam("notice", notice).get("/v1/audit").then().statusCode(200).extract().jsonPath()
                .getList("items.action", String.class)).as("who paused and resumed, in the audit log")
                .containsSubsequence("NOTICE_DISPATCHED", "NOTICE_PAUSED", "NOTICE_RESUMED");

        Map<String, Long> perRecipient = SmtpServer.receivedFor("@pause.example").stream()
                .collect(Collectors.groupingBy(SmtpServer::recipient, Collectors.counting()));
        assertThat(perRecipient).hasSize(CUSTOMERS);
        assertThat(perRecipient.values()).allMatch(count -> count == 1);
        assertThat(progress(notice).getInt("byStatus.SENT")).isEqualTo(CUSTOMERS);
    }

    @Test
    void cancelLeavesWhatWasNotSentCancelledAndTheCountsAddUp() throws Exception {
        Fixtures.importCustomers("cancel", CUSTOMERS);
        Fixtures.emailLimit(RATE, 2);
        long notice = Fixtures.dispatchToTag("cancel");
        await().atMost(Duration.ofSeconds(30)).until(() -> received("cancel") >= 20);

        given().post("/v1/notices/{id}/cancel", notice).then().statusCode(200)
                .body("status", equalTo("CANCELLED")).body("cancelledAt", org.hamcrest.Matchers.notNullValue());
        Thread.sleep(2_000);
        int sent = received("cancel");
        Thread.sleep(2_000);
        assertThat(received("cancel")).as("emails after the cancel settled").isEqualTo(sent);

        JsonPath progress = progress(notice);
        assertThat(progress.getInt("byStatus.SENT")).isEqualTo(sent);
        assertThat(progress.getInt("byStatus.CANCELLED")).isEqualTo(CUSTOMERS - sent).isPositive();
        assertThat(progress.getInt("total")).isEqualTo(CUSTOMERS);
        assertThat(progress.getInt("remaining")).isZero();
        given().queryParam("status", "CANCELLED").queryParam("limit", 1).get("/v1/notices/{id}/deliveries", notice)
                .then().statusCode(200).body("items[0].lastError", equalTo("notice cancelled"));

        given().post("/v1/notices/{id}/cancel", notice).then().statusCode(200).body("status", equalTo("CANCELLED"));
        given().post("/v1/notices/{id}/resume", notice).then().statusCode(409)
                .contentType("application/problem+json")
                .body("detail", equalTo("notice " + notice + " is CANCELLED; only a PAUSED notice can be resumed"));
    }

    @Test
    void controlsRefuseWhatTheNoticeCannotDo() {
        long draft = Fixtures.createNotice(Fixtures.notice("draft-control", Map.of("criteria", Map.of("tag", "nobody"))));
        given().post("/v1/notices/{id}/pause", draft).then().statusCode(409)
                .contentType("application/problem+json")
                .body("detail", equalTo("notice " + draft + " is DRAFT; only a DISPATCHING notice can be paused"));
        given().post("/v1/notices/{id}/pause", 987_654_321).then().statusCode(404)
                .contentType("application/problem+json").body("detail", containsString("987654321"));

        long done = Fixtures.dispatchToTag("nobody-at-all");
        Fixtures.awaitCompleted(done, Duration.ofSeconds(30));
        given().post("/v1/notices/{id}/cancel", done).then().statusCode(409)
                .body("detail", equalTo("notice " + done + " is COMPLETED; a COMPLETED notice cannot be cancelled"));

        given().post("/v1/notices/{id}/cancel", draft).then().statusCode(200).body("status", equalTo("CANCELLED"));
        given().post("/v1/notices/{id}/dispatch", draft).then().statusCode(409);
    }

    @Test
    void sendLimitsRefuseNonsenseAndReportThisPodsShare() {
        given().contentType(ContentType.JSON).body(Map.of("messagesPerSecond", 0, "connections", 2))
                .put("/v1/limits/email").then().statusCode(400)
                .contentType("application/problem+json")
                .body("errors.field", org.hamcrest.Matchers.hasItem(containsString("messagesPerSecond")));
        given().contentType(ContentType.JSON).body(Map.of("messagesPerSecond", 50))
                .put("/v1/limits/email").then().statusCode(400)
                .body("errors.field", org.hamcrest.Matchers.hasItem(containsString("connections")));

        given().header("Authorization", "Bearer " + Tokens.of("limit-setter", "operator")).contentType(ContentType.JSON)
                .body(Map.of("messagesPerSecond", 120, "connections", 3)).put("/v1/limits/email").then().statusCode(200);
        given().get("/v1/limits/email").then().statusCode(200)
                .body("limit.messagesPerSecond", equalTo(120.0f))
                .body("limit.connections", equalTo(3))
                .body("limit.configured", equalTo(true))
                .body("pods", equalTo(1))
                .body("podMessagesPerSecond", equalTo(120.0f))
                .body("podConnections", equalTo(3));
        assertThat(given().queryParam("actor", "limit-setter").get("/v1/audit").then().statusCode(200).extract()
                .jsonPath().getList("items.detail", String.class)).as("the limit change in the audit log, with its values")
                .containsExactly("email: 120.0 messages/s over 3 connections");
    }

    private static int received(String tag) {
        return SmtpServer.receivedFor("@" + tag + ".example").size();
    }

    private static JsonPath progress(long notice) {
        return given().get("/v1/notices/{id}/progress", notice).then().statusCode(200).extract().jsonPath();
    }
}
