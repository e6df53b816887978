package dev.herald.notice;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;


import dev.herald.support.Fixtures;
import dev.herald.support.HeraldTest;
import dev.herald.support.SmtpServer;
import io.restassured.http.ContentType;

@HeraldTest
class NoticeResourceTest {

    private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> copy = new HashMap<>(base);
        copy.put(key, value);
        return copy;
    }

    @Test
    void createsADraftAndAnIdempotentRetryAnswersTheSameNotice() {
        Map<String, Object> notice = Fixtures.notice("idem", Map.of("criteria", Map.of("tag", "nobody")));
        long first = given().contentType(ContentType.JSON).header("Idempotency-Key", "idem-key-1").body(notice)
                .post("/v1/notices")
                .then().statusCode(201).header("Idempotent-Replayed", "false")
                .body("status", equalTo("DRAFT"))
                .body("templates.fr.sections.contact", equalTo("[fr] security@example.com"))
                .extract().jsonPath().getLong("id");
        given().contentType(ContentType.JSON).header("Idempotency-Key", "idem-key-1").body(notice)
                .post("/v1/notices")
                .then().statusCode(201).header("Idempotent-Replayed", "true")
                .body("id", equalTo((int) first));
        given().contentType(ContentType.JSON).header("Idempotency-Key", "idem-key-1")
                .body(with(notice, "name", "something else"))
                .post("/v1/notices")
                .then().statusCode(422).contentType("application/problem+json")
                .body("detail", containsString("different request"));
        given().get("/v1/notices/{id}", first).then().statusCode(200).body("name", equalTo("idem"))
                .body("progress.total", equalTo(0));
    }

    @Test
    void templatesAreCheckedWhenTheNoticeIsCreated() {
        Map<String, Object> broken = Fixtures.template("en", "Dear");
        broken = with(broken, "html", "<p>{customer.displayName</p>");
        given().contentType(ContentType.JSON)
                .body(with(Fixtures.notice("broken", Map.of("criteria", Map.of("tag", "x"))), "templates", Map.of("en", broken)))
                .post("/v1/notices")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("templates.en.html"))
                .body("errors[0].message", startsWith("does not parse"));

        Map<String, Object> unknown = with(Fixtures.template("en", "Dear"), "text", "Hi {customer.firstName}");
        given().contentType(ContentType.JSON)
                .body(with(Fixtures.notice("unknown", Map.of("criteria", Map.of("tag", "x"))), "templates", Map.of("en", unknown)))
                .post("/v1/notices")
                .then().statusCode(400)
                .body("errors[0].field", equalTo("templates.en.text"))
                .body("errors[0].message", containsString("unknown variable 'customer.firstName'"));
    }

    @Test
    void inconsistentNoticesAreRefusedWithEveryReason() {
        Map<String, Object> notice = Fixtures.notice("bad", Map.of("criteria", Map.of("tag", "x"), "segmentId", 1));
        notice = with(notice, "fallbackLocale", "es");
        notice = with(notice, "fallback", "EMAIL_THEN_PUSH");
        given().contentType(ContentType.JSON).body(notice).post("/v1/notices")
                .then().statusCode(400)
                .body("errors.field", equalTo(List.of("audience", "fallback", "fallbackLocale")));

        // Sent by push, every locale needs a push template.
        given().contentType(ContentType.JSON)
                .body(with(Fixtures.notice("no push text", Map.of("criteria", Map.of("tag", "x"))), "channels",
                        List.of("EMAIL", "PUSH")))
                .post("/v1/notices")
                .then().statusCode(400)
                .body("errors.field", org.hamcrest.Matchers.containsInAnyOrder("templates.de.push", "templates.en.push",
                        "templates.fr.push"));

        given().contentType(ContentType.JSON)
                .body(Fixtures.notice("no segment", Map.of("segmentId", 987654)))
                .post("/v1/notices")
                .then().statusCode(400).body("errors[0].field", equalTo("audience.segmentId"));

        given().contentType(ContentType.JSON)
                .body(Fixtures.notice("bad criteria", Map.of("criteria", Map.of("field", "shoe_size", "eq", "9"))))
                .post("/v1/notices")
                .then().statusCode(400).body("errors[0].field", equalTo("audience.criteria.field"));

        given().contentType(ContentType.JSON).body(Map.of("name", "missing everything"))
                .post("/v1/notices")
                .then().statusCode(400)
                .body("errors.field", hasItem("templates"))
                .body("errors.field", hasItem("audience"))
                .body("errors.field", hasItem("channels"));

        given().contentType(ContentType.JSON).body(with(Fixtures.notice("typo", Map.of("criteria", Map.of("tag", "x"))), "chanels", List.of()))
                .post("/v1/notices")
                .then().statusCode(400).body("errors[0].field", equalTo("chanels"));

        given().contentType(ContentType.JSON).body(with(Fixtures.notice("enum", Map.of("criteria", Map.of("tag", "x"))), "channels", List.of("FAX")))
                .post("/v1/notices")
                .then().statusCode(400).body("errors[0].field", equalTo("channels[0]"));
    }

    @Test
    void previewRendersOneCustomersEmail() {
        Fixtures.putCustomer("preview-1", Map.of("email", "p1@preview.example", "displayName", "Zoé <b>", "locale", "fr-FR"));
        long id = Fixtures.createNotice(Fixtures.notice("preview", Map.of("criteria", Map.of("tag", "nobody"))));
        given().contentType(ContentType.JSON).body(Map.of("customerId", "preview-1"))
                .post("/v1/notices/{id}/preview", id)
                .then().statusCode(200)
                .body("locale", equalTo("fr"))
                .body("subject", equalTo("[fr] Security notice for Zoé <b>"))
                .body("html", containsString("Bonjour Zoé &lt;b&gt;,"))
                .body("text", startsWith("Bonjour Zoé <b>,"));
        given().contentType(ContentType.JSON).body(Map.of("customerId", "nobody-here"))
                .post("/v1/notices/{id}/preview", id)
                .then().statusCode(404).contentType("application/problem+json");
        given().contentType(ContentType.JSON).body(Map.of("customerId", "preview-1"))
                .post("/v1/notices/{id}/preview", 999_999)
                .then().statusCode(404);
    }

    @Test
    void dispatchingTwiceOrAnUnknownNoticeIsAProblem() {
        long id = Fixtures.createNotice(Fixtures.notice("twice", Map.of("criteria", Map.of("tag", "nobody-twice"))));
        given().post("/v1/notices/{id}/dispatch", id).then().statusCode(202);
        given().post("/v1/notices/{id}/dispatch", id).then().statusCode(409)
                .contentType("application/problem+json")
                .body("detail", containsString("only a DRAFT notice can be dispatched"));
        given().post("/v1/notices/{id}/dispatch", 999_999).then().statusCode(404);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().get("/v1/notices/{id}", id)
                .then().body("status", equalTo("COMPLETED")).body("progress.total", equalTo(0)));
    }

    @Test
    void anAffectedAccountListIsTheAudienceAndCarriesPerCustomerVariables() throws Exception {
        for (int i = 1; i <= 3; i++) {
            Fixtures.putCustomer("aff-" + i, Map.of("email", "aff" + i + "@affected.example", "displayName", "Aff " + i));
        }
        Fixtures.putCustomer("aff-not-listed", Map.of("email", "nolist@affected.example"));
        Map<String, Object> template = with(Fixtures.template("en", "Dear"), "text",
                "Dear {customer.displayName}, the card ending {vars.cardLast4} was exposed.\n{sections.contact}");
        Map<String, Object> notice = with(Fixtures.notice("affected", Map.of("affectedAccounts", true)),
                "templates", Map.of("en", template));
        notice = with(notice, "variables", List.of("cardLast4"));
        long id = Fixtures.createNotice(notice);

        given().post("/v1/notices/{id}/dispatch", id).then().statusCode(409)
                .body("detail", containsString("none has been uploaded"));

        String upload = """
                {"customerId": "aff-1", "variables": {"cardLast4": "4242"}}
                {"customerId": "aff-2", "variables": {"cardLast4": "1881"}}
                {"customerId": "aff-2", "variables": {"cardLast4": "0005"}}
                {"customerId": "ghost", "variables": {"cardLast4": "0000"}}
                {"customerId": "aff-3", "variables": {}}
                {"customerId": "aff-3", "variables": {"cardLast4": "1", "pin": "1234"}}
                """;
        given().contentType("application/x-ndjson").body(upload.getBytes(StandardCharsets.UTF_8))
                .post("/v1/notices/{id}/affected", id)
                .then().statusCode(200)
                .body("received", equalTo(6))
                .body("accepted", equalTo(3))
                .body("rejected", equalTo(3))
                .body("rejections.line", equalTo(List.of(4, 5, 6)))
                .body("rejections[0].reason", equalTo("customerId: customer 'ghost' does not exist"))
                .body("rejections[1].reason", containsString("missing [cardLast4]"))
                .body("rejections[2].reason", containsString("not declared by the notice [pin]"));

        given().contentType(ContentType.JSON).body(Map.of("customerId", "aff-2"))
                .post("/v1/notices/{id}/preview", id)
                .then().statusCode(200).body("text", containsString("ending 0005"));
        given().contentType(ContentType.JSON).body(Map.of("customerId", "aff-not-listed"))
                .post("/v1/notices/{id}/preview", id)
                .then().statusCode(400).body("errors[0].field", equalTo("variables"));

        given().post("/v1/notices/{id}/dispatch", id).then().statusCode(202);
        Fixtures.awaitCompleted(id, Duration.ofSeconds(30));
        given().contentType("application/x-ndjson").body(upload.getBytes(StandardCharsets.UTF_8))
                .post("/v1/notices/{id}/affected", id)
                .then().statusCode(409);

        List<MimeMessage> received = SmtpServer.receivedFor("@affected.example");
        assertThat(received).extracting(SmtpServer::recipient)
                .containsExactlyInAnyOrder("aff1@affected.example", "aff2@affected.example");
        for (MimeMessage message : received) {
            String expected = SmtpServer.recipient(message).startsWith("aff1") ? "4242" : "0005";
            assertThat(SmtpServer.text(message)).contains("the card ending " + expected + " was exposed");
        }
    }
}
