package dev.herald.channel.email;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.support.Fixtures;
import dev.herald.support.HeraldTest;
import dev.herald.support.SmtpServer;
import dev.herald.support.SnsStandIn;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;

@HeraldTest
class EmailEventsTest {

    private static final String SECRET = "test-only-hmac-secret";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void eventsMoveDeliveriesSuppressAddressesAndChangeNothingWhenReplayed() throws Exception {
        for (String who : List.of("a", "b", "c", "d")) {
            Fixtures.putCustomer("events-" + who, Map.of("email", who + "@events.example", "displayName", who,
                    "tags", List.of("events")));
        }
        long first = Fixtures.dispatchToTag("events");
        Fixtures.awaitCompleted(first, Duration.ofSeconds(30));
        Map<String, String> messageIds = SmtpServer.receivedFor("@events.example").stream()
                .collect(Collectors.toMap(SmtpServer::recipient, EmailEventsTest::messageId));

        Map<String, Object> delivered = Map.of("id", "evt-a-1", "type", "DELIVERED",
                "messageId", messageIds.get("a@events.example"), "detail", "250 2.0.0 OK");
        signed(delivered).statusCode(200).body("result", equalTo("APPLIED")).body("source", equalTo("herald-hmac"));
        signed(delivered).statusCode(200).body("result", equalTo("DUPLICATE"));

        try (SnsStandIn sns = new SnsStandIn()) {
            sns(sns.subscriptionConfirmation("sub-1", "token-123")).statusCode(200).body("result", equalTo("SUBSCRIBED"));
            assertThat(sns.confirmations()).containsExactly("Action=ConfirmSubscription&Token=token-123");

            Map<String, String> bounce = sns.notification("sns-b-1", JSON.writeValueAsString(Map.of(
                    "notificationType", "Bounce",
                    "bounce", Map.of("bounceType", "Permanent", "bounceSubType", "General",
                            "bouncedRecipients", List.of(Map.of("emailAddress", "b@events.example",
                                    "diagnosticCode", "smtp; 550 5.1.1 user unknown"))),
                    "mail", Map.of("messageId", "0100018c-ses-id", "headers", List.of(
                            Map.of("name", "X-Herald-Delivery", "value", header(messageIds.get("b@events.example"))))))));
            sns(bounce).statusCode(200).body("result", equalTo("APPLIED")).body("source", equalTo("ses"));
            sns(bounce).statusCode(200).body("result", equalTo("DUPLICATE"));

            Map<String, String> tampered = new java.util.HashMap<>(bounce);
            tampered.put("MessageId", "sns-b-2");
            sns(tampered).statusCode(401).contentType("application/problem+json")
                    .body("detail", equalTo("the SNS signature does not match the message"));
            Map<String, String> foreignCert = new java.util.HashMap<>(sns.notification("sns-x", "{}"));
            foreignCert.put("SigningCertURL", "https://example.com/cert.pem");
            sns(foreignCert).statusCode(401).body("detail", containsString("is not an SNS certificate address"));
            sns(sns.notification("sns-forged", bounce.get("Message"), "arn:aws:sns:eu-west-1:999999999999:someone-elses"))
                    .statusCode(403).contentType("application/problem+json")
                    .body("detail", equalTo("SNS topic arn:aws:sns:eu-west-1:999999999999:someone-elses is not one Herald"
                            + " listens to"));
            sns(sns.notification("sns-send", "{\"notificationType\":\"Send\",\"mail\":{}}"))
                    .statusCode(200).body("result", equalTo("IGNORED"));
        }

        signed(Map.of("id", "evt-c-1", "type", "COMPLAINED", "messageId", messageIds.get("c@events.example"),
                "detail", "abuse")).statusCode(200).body("result", equalTo("APPLIED"));
        signed(Map.of("id", "evt-d-1", "type", "BOUNCED", "bounceType", "SOFT",
                "messageId", messageIds.get("d@events.example"), "detail", "mailbox full"))
                .statusCode(200).body("result", equalTo("APPLIED"));
        signed(Map.of("id", "evt-x-1", "type", "DELIVERED", "messageId", "<somebody-else@elsewhere.example>"))
                .statusCode(200).body("result", equalTo("UNKNOWN_DELIVERY"));

        JsonPath progress = given().get("/v1/notices/{id}/progress", first).then().extract().jsonPath();
        assertThat(progress.getMap("byStatus")).containsEntry("SENT", 1).containsEntry("DELIVERED", 1)
                .containsEntry("BOUNCED", 2).hasSize(3);
        JsonPath b = given().get("/v1/customers/{id}/deliveries", "events-b").then().extract().jsonPath();
        assertThat(b.getString("deliveries[0].delivery.status")).isEqualTo("BOUNCED");
        assertThat(b.getString("deliveries[0].delivery.lastError")).isEqualTo("hard bounce: smtp; 550 5.1.1 user unknown");
        assertThat(b.getList("deliveries[0].events.kind")).containsExactly("HARD_BOUNCE");

        long second = Fixtures.dispatchToTag("events");
        Fixtures.awaitCompleted(second, Duration.ofSeconds(30));
        Map<String, String> errors = given().queryParam("status", "SKIPPED").get("/v1/notices/{id}/deliveries", second)
                .then().extract().jsonPath().getList("items", Map.class).stream()
                .collect(Collectors.toMap(i -> (String) i.get("customerId"), i -> (String) i.get("lastError")));
        assertThat(errors).containsOnlyKeys("events-b", "events-c");
        assertThat(errors.get("events-b")).startsWith("address suppressed: HARD_BOUNCE on ");
        assertThat(errors.get("events-c")).startsWith("address suppressed: COMPLAINT on ");
        assertThat(given().get("/v1/notices/{id}/progress", second).then().extract().jsonPath().getInt("byStatus.SENT"))
                .isEqualTo(2);
    }

    @Test
    void unsignedForgedStaleOrIncompleteEventsAreRefused() throws Exception {
        String body = "{\"id\":\"evt-bad\",\"type\":\"DELIVERED\",\"messageId\":\"<herald.1.1@herald.example>\"}";
        given().contentType("application/json").body(body).post("/v1/events/email")
                .then().statusCode(401).contentType("application/problem+json")
                .body("detail", equalTo("X-Herald-Signature is missing"));
        given().contentType("application/json").header("X-Herald-Signature",
                "t=" + Instant.now().getEpochSecond() + ",v1=" + "00".repeat(32)).body(body).post("/v1/events/email")
                .then().statusCode(401).body("detail", equalTo("X-Herald-Signature does not match the body"));
        for (String garbled : List.of("garbage", "t=soon,v1=zz", "v1=" + "00".repeat(32), "t=1")) {
            given().contentType("application/json").header("X-Herald-Signature", garbled).body(body)
                    .post("/v1/events/email")
                    .then().statusCode(401).contentType("application/problem+json")
                    .body("detail", containsString("X-Herald-Signature"));
        }
        long stale = Instant.now().minusSeconds(3600).getEpochSecond();
        given().contentType("application/json").header("X-Herald-Signature", signature(stale, body)).body(body)
                .post("/v1/events/email")
                .then().statusCode(401).body("detail", equalTo("X-Herald-Signature: t is more than 300 s from now"));

        signed(Map.of("id", "evt-bounce", "type", "BOUNCED", "messageId", "<herald.1.1@herald.example>"))
                .statusCode(400).body("errors.field", hasItem("bounceType"));
        signed(Map.of("id", "evt-type", "type", "OPENED", "messageId", "<herald.1.1@herald.example>"))
                .statusCode(400).contentType("application/problem+json").body("detail", containsString("type"));
        signed(Map.of("type", "DELIVERED", "messageId", "<herald.1.1@herald.example>"))
                .statusCode(400).body("errors.field", hasItem(containsString("id")));
    }

    private static ValidatableResponse signed(Map<String, ?> event) throws Exception {
        String body = JSON.writeValueAsString(event);
        return given().contentType("application/json")
                .header("X-Herald-Signature", signature(Instant.now().getEpochSecond(), body))
                .body(body.getBytes(StandardCharsets.UTF_8))
                .post("/v1/events/email").then();
    }

    private static ValidatableResponse sns(Map<String, String> message) throws Exception {
        return given().contentType("text/plain; charset=UTF-8")
                .header("x-amz-sns-message-type", message.get("Type"))
                .body(JSON.writeValueAsBytes(message))
                .post("/v1/events/email").then();
    }

    private static String signature(long t, String body) {
        return "t=" + t + ",v1=" + HexFormat.of().formatHex(
                SignedEvents.hmac(SECRET, t, body.getBytes(StandardCharsets.UTF_8)));
    }

    private static String messageId(MimeMessage message) {
        try {
            return message.getMessageID();
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** "<herald.N.D@domain>" as the X-Herald-Delivery header writes it: "N/D". */
    private static String header(String messageId) {
        String[] parts = messageId.substring("<herald.".length(), messageId.indexOf('@')).split("\\.");
        return parts[0] + "/" + parts[1];
    }
}
