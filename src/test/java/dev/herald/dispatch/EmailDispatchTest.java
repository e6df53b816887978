package dev.herald.dispatch;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;


import dev.herald.support.DkimVerification;
import dev.herald.support.Fixtures;
import dev.herald.support.HeraldTest;
import dev.herald.support.SmtpServer;
import io.restassured.path.json.JsonPath;

@HeraldTest
class EmailDispatchTest {

    private static final String[] LOCALES = { "en", "fr-CA", "de", "pt-BR" };

    @Test
    void everyCustomerOfTheSegmentGetsExactlyOneEmailInTheirLanguageAndEveryDeliveryIsRecorded() throws Exception {
        int n = 40;
        for (int i = 0; i < n; i++) {
            Fixtures.putCustomer("e2e-" + i, Map.of(
                    "email", "e2e-" + i + "@e2e.example",
                    "displayName", "Customer Number" + i,
                    "locale", LOCALES[i % LOCALES.length],
                    "tags", List.of("e2e")));
        }
        Fixtures.putCustomer("e2e-nomail", Map.of("displayName", "No Mail", "tags", List.of("e2e")));
        Fixtures.putCustomer("e2e-other", Map.of("email", "other@e2e.example", "tags", List.of("not-this-one")));

        long notice = Fixtures.createNotice(Fixtures.notice("e2e", Map.of("criteria", Map.of("tag", "e2e"))));
        given().post("/v1/notices/{id}/dispatch", notice).then().statusCode(202).body("status", equalTo("DISPATCHING"));

        Fixtures.awaitCompleted(notice, Duration.ofSeconds(60));

        List<MimeMessage> received = SmtpServer.receivedFor("@e2e.example");
        Map<String, List<MimeMessage>> byRecipient = received.stream()
                .collect(Collectors.groupingBy(SmtpServer::recipient));
        assertThat(byRecipient).hasSize(n).doesNotContainKey("other@e2e.example");
        for (int i = 0; i < n; i++) {
            List<MimeMessage> mine = byRecipient.get("e2e-" + i + "@e2e.example");
            assertThat(mine).as("messages to customer %d", i).hasSize(1);
            String body = SmtpServer.text(mine.get(0));
            String language = LOCALES[i % LOCALES.length].substring(0, 2);
            String expected = Map.of("en", "[en]", "fr", "[fr]", "de", "[de]", "pt", "[en]").get(language);
            assertThat(mine.get(0).getSubject()).isEqualTo(expected + " Security notice for Customer Number" + i);
            assertThat(body).contains("Customer Number" + i).contains(expected + " On 20 November");
        }
        // The test profile gives Herald a DKIM key: the message as the server received it verifies.
        assertThat(DkimVerification.verify(received.get(0))).hasSize(1);

        JsonPath progress = given().get("/v1/notices/{id}/progress", notice).then().statusCode(200).extract().jsonPath();
        assertThat(progress.getInt("total")).isEqualTo(n + 1);
        assertThat(progress.getInt("byStatus.SENT")).isEqualTo(n);
        assertThat(progress.getInt("byStatus.SKIPPED")).isEqualTo(1);
        assertThat(progress.getInt("remaining")).isZero();

        Map<String, Integer> statuses = new HashMap<>();
        Long after = 0L;
        int pages = 0;
        while (after != null) {
            JsonPath page = given().queryParam("after", after).queryParam("limit", 15)
                    .get("/v1/notices/{id}/deliveries", notice).then().statusCode(200).extract().jsonPath();
            page.getList("items.status", String.class).forEach(s -> statuses.merge(s, 1, Integer::sum));
            after = page.get("next") == null ? null : page.getLong("next");
            pages++;
        }
        assertThat(statuses).containsEntry("SENT", n).containsEntry("SKIPPED", 1).hasSize(2);
        assertThat(pages).isEqualTo(3);

        given().queryParam("status", "SKIPPED").get("/v1/notices/{id}/deliveries", notice)
                .then().statusCode(200)
                .body("items.size()", equalTo(1))
                .body("items[0].customerId", equalTo("e2e-nomail"))
                .body("items[0].lastError", equalTo("no email address"));

        given().get("/v1/customers/{id}/deliveries", "e2e-3")
                .then().statusCode(200)
                .body("deliveries.size()", equalTo(1))
                .body("deliveries[0].noticeName", equalTo("e2e"))
                .body("deliveries[0].delivery.status", equalTo("SENT"))
                .body("deliveries[0].delivery.destination", equalTo("e2e-3@e2e.example"));
    }
}
