package dev.herald.dispatch;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.herald.standin.ApnsStandIn;
import dev.herald.standin.FcmStandIn;
import dev.herald.support.DefaultToken;
import dev.herald.support.Fixtures;
import dev.herald.support.PushStandIns;
import dev.herald.support.ScriptedSmtpServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * Email, then push for whoever email did not reach: a mixed audience (with and without email
 * addresses and devices, a mailbox the relay refuses with 550, tokens the providers report gone, FCM
 * answering 503 with Retry-After before it accepts), against the SMTP relay and the FCM and APNs
 * stand-ins. Every delivery ends with its right status, gone tokens are deactivated, fallbacks are
 * made and linked, nothing is sent twice.
 */
@QuarkusTest
@ExtendWith(DefaultToken.class)
@TestProfile(SmtpRepliesTest.ScriptedRelay.class)
class PushFallbackTest {

    private static final String APP = "com.example.breach";
    private static final String APNS_OK = "a".repeat(64);
    private static final String APNS_GONE = "b".repeat(64);
    private static final String APNS_SECOND = "c".repeat(64);

    @Test
    void emailThenPushReachesEveryoneItCanAndSaysWhyForTheRest() {
        FcmStandIn fcm = PushStandIns.fcm();
        ApnsStandIn apns = PushStandIns.apns();
        fcm.script("fcm-busy", FcmStandIn.Answer.UNAVAILABLE);
        fcm.script("fcm-gone", FcmStandIn.Answer.UNREGISTERED);
        apns.script(APNS_GONE, ApnsStandIn.Answer.UNREGISTERED);

        Fixtures.customer("fallback", "fb-1", "ok-fb1@fallback.example", Fixtures.device(APP, "FCM", "fcm-one"));
        Fixtures.customer("fallback", "fb-2", "reject-fb2@fallback.example", Fixtures.device(APP, "APNS", APNS_OK));
        Fixtures.customer("fallback", "fb-3", null, Fixtures.device(APP, "FCM", "fcm-busy"));
        Fixtures.customer("fallback", "fb-4", null, Fixtures.device(APP, "APNS", APNS_GONE));
        Fixtures.customer("fallback", "fb-5", null);
        Fixtures.customer("fallback", "fb-6", "reject-fb6@fallback.example", Fixtures.device(APP, "FCM", "fcm-gone"),
                Fixtures.device(APP, "APNS", APNS_SECOND));
        Fixtures.customer("fallback", "fb-7", "ok-fb7@fallback.example");

        long id = Fixtures.pushNotice("fallback", "fallback", List.of("EMAIL", "PUSH"), "EMAIL_THEN_PUSH");
        given().post("/v1/notices/{id}/dispatch", id).then().statusCode(202);
        Fixtures.awaitCompleted(id, Duration.ofSeconds(60));

        JsonPath progress = given().get("/v1/notices/{id}/progress", id).then().extract().jsonPath();
        assertThat(progress.getMap("byChannel.EMAIL")).isEqualTo(Map.of("SENT", 2, "FAILED", 2, "SKIPPED", 3));
        assertThat(progress.getMap("byChannel.PUSH")).isEqualTo(Map.of("SENT", 3, "FAILED", 2, "SKIPPED", 1));

        // fb-1 and fb-7 were reached by email: no push for them.
        assertThat(deliveries("fb-1")).extracting(d -> d.get("channel")).containsExactly("EMAIL");
        JsonPath fb2 = customerDeliveries("fb-2");
        long email2 = fb2.getLong("deliveries.find { it.delivery.channel == 'EMAIL' }.delivery.id");
        assertThat(fb2.getString("deliveries.find { it.delivery.channel == 'EMAIL' }.delivery.status")).isEqualTo("FAILED");
        assertThat(fb2.getList("deliveries.find { it.delivery.channel == 'EMAIL' }.events.kind")).contains("FALLBACK");
        assertThat(fb2.getString("deliveries.find { it.delivery.channel == 'PUSH' }.delivery.status")).isEqualTo("SENT");
        assertThat(fb2.getLong("deliveries.find { it.delivery.channel == 'PUSH' }.delivery.fallbackOf")).isEqualTo(email2);

        // FCM answered 503 with Retry-After: tried again, then accepted.
        JsonPath fb3 = customerDeliveries("fb-3");
        assertThat(fb3.getString("deliveries.find { it.delivery.channel == 'PUSH' }.delivery.status")).isEqualTo("SENT");
        assertThat(fb3.getInt("deliveries.find { it.delivery.channel == 'PUSH' }.delivery.attempts")).isEqualTo(2);

        // Gone tokens: the delivery FAILED for good and the device is deactivated with the reason.
        JsonPath fb4 = customerDeliveries("fb-4");
        assertThat(fb4.getString("deliveries.find { it.delivery.channel == 'PUSH' }.delivery.status")).isEqualTo("FAILED");
        assertThat(fb4.getString("deliveries.find { it.delivery.channel == 'PUSH' }.delivery.lastError"))
                .startsWith("device token gone: APNs 410 Unregistered");
        given().get("/v1/customers/{id}/devices", "fb-4").then().statusCode(200)
                .body("[0].active", equalTo(false))
                .body("[0].deactivatedReason", equalTo("APNs 410 Unregistered"));
        JsonPath fb5 = customerDeliveries("fb-5");
        assertThat(fb5.getString("deliveries.find { it.delivery.channel == 'PUSH' }.delivery.lastError"))
                .isEqualTo("no registered device");
        JsonPath fb6 = customerDeliveries("fb-6");
        assertThat(fb6.getList("deliveries.findAll { it.delivery.channel == 'PUSH' }.delivery.status"))
                .containsExactlyInAnyOrder("FAILED", "SENT");
        given().get("/v1/customers/{id}/devices", "fb-6").then()
                .body("find { it.platform == 'FCM' }.active", equalTo(false))
                .body("find { it.platform == 'FCM' }.deactivatedReason", equalTo("FCM 404 UNREGISTERED: Requested entity was not found."))
                .body("find { it.platform == 'APNS' }.active", equalTo(true));

        // Nothing twice: each mailbox accepted once, each token accepted once.
        assertThat(ScriptedSmtpServer.accepted().stream().filter(a -> a.endsWith("@fallback.example")))
                .containsExactlyInAnyOrder("ok-fb1@fallback.example", "ok-fb7@fallback.example");
        Map<String, Long> fcmAttempts = fcm.received().stream().filter(r -> List.of("fcm-busy", "fcm-gone").contains(r.token()))
                .collect(Collectors.groupingBy(FcmStandIn.Received::token, Collectors.counting()));
        assertThat(fcmAttempts).isEqualTo(Map.of("fcm-busy", 2L, "fcm-gone", 1L));
        Map<String, Long> apnsAttempts = apns.received().stream()
                .filter(r -> List.of(APNS_OK, APNS_GONE, APNS_SECOND).contains(r.token()))
                .collect(Collectors.groupingBy(ApnsStandIn.Received::token, Collectors.counting()));
        assertThat(apnsAttempts).isEqualTo(Map.of(APNS_OK, 1L, APNS_GONE, 1L, APNS_SECOND, 1L));
    }

    /** Push first: an invalid FCM token and a bad APNs token end their pushes and send email instead. */
    @Test
    void pushThenEmailMailsThoseWhoseTokensTheProvidersRefuse() {
        String badApns = "e".repeat(64);
        PushStandIns.fcm().script("fcm-invalid", FcmStandIn.Answer.INVALID_TOKEN);
        PushStandIns.apns().script(badApns, ApnsStandIn.Answer.BAD_DEVICE_TOKEN);
        Fixtures.customer("pushfirst", "pf-1", "ok-pf1@pushfirst.example", Fixtures.device(APP, "FCM", "fcm-invalid"));
        Fixtures.customer("pushfirst", "pf-2", "ok-pf2@pushfirst.example", Fixtures.device(APP, "APNS", badApns));
        Fixtures.customer("pushfirst", "pf-3", "ok-pf3@pushfirst.example", Fixtures.device(APP, "FCM", "fcm-pf3"));

        long id = Fixtures.pushNotice("push-first", "pushfirst", List.of("PUSH", "EMAIL"), "PUSH_THEN_EMAIL");
        given().post("/v1/notices/{id}/dispatch", id).then().statusCode(202);
        Fixtures.awaitCompleted(id, Duration.ofSeconds(60));

        JsonPath progress = given().get("/v1/notices/{id}/progress", id).then().extract().jsonPath();
        assertThat(progress.getMap("byChannel.PUSH")).isEqualTo(Map.of("SENT", 1, "FAILED", 2));
        assertThat(progress.getMap("byChannel.EMAIL")).isEqualTo(Map.of("SENT", 2));
        assertThat(customerDeliveries("pf-1").getString("deliveries.find { it.delivery.channel == 'PUSH' }.delivery.lastError"))
                .startsWith("device token gone: FCM 400 INVALID_ARGUMENT");
        assertThat(customerDeliveries("pf-2").getString("deliveries.find { it.delivery.channel == 'PUSH' }.delivery.lastError"))
                .startsWith("device token gone: APNs 400 BadDeviceToken");
        given().get("/v1/customers/{id}/devices", "pf-2").then().body("[0].active", equalTo(false));
        assertThat(deliveries("pf-3")).extracting(d -> d.get("channel")).containsExactly("PUSH");
        assertThat(ScriptedSmtpServer.accepted().stream().filter(a -> a.endsWith("@pushfirst.example")))
                .containsExactlyInAnyOrder("ok-pf1@pushfirst.example", "ok-pf2@pushfirst.example");
    }

    @Test
    void providersGetWhatTheyDocumentAndNoPersonalDataBeyondTheTemplate() {
        Fixtures.customer("pushonly", "pp-1", null, Fixtures.device(APP, "APNS", "d".repeat(64)));
        Fixtures.customer("pushonly", "pp-2", null, Fixtures.device(APP, "FCM", "fcm-shape"));
        long id = Fixtures.pushNotice("push-only", "pushonly", List.of("PUSH"), null);
        long tokensBefore = PushStandIns.fcm().tokensIssued();
        given().post("/v1/notices/{id}/dispatch", id).then().statusCode(202);
        Fixtures.awaitCompleted(id, Duration.ofSeconds(60));

        ApnsStandIn.Received apple = PushStandIns.apns().received().stream()
                .filter(r -> r.token().equals("d".repeat(64))).findFirst().orElseThrow();
        assertThat(apple.topic()).isEqualTo(APP);
        assertThat(apple.teamId()).isEqualTo(ApnsStandIn.TEAM_ID);
        assertThat(apple.keyId()).isEqualTo(ApnsStandIn.KEY_ID);
        assertThat(apple.headers()).containsEntry("apns-push-type", "alert").containsEntry("apns-priority", "10")
                .containsEntry("apns-collapse-id", "herald-notice-" + id).containsKey("apns-expiration");
        assertThat(apple.payload()).contains("\"title\":\"Security notice\"")
                .contains("\"body\":\"Open the Example app to read an important message about your account.\"")
                .contains("\"herald\":{");
        FcmStandIn.Received google = PushStandIns.fcm().received().stream()
                .filter(r -> r.token().equals("fcm-shape")).findFirst().orElseThrow();
        assertThat(google.title()).isEqualTo("Security notice");
        assertThat(google.data()).containsEntry("heraldNotice", String.valueOf(id)).containsKey("heraldDelivery");
        assertThat(google.message().path("android").path("collapseKey").asText()).isEqualTo("herald-notice-" + id);
        assertThat(PushStandIns.fcm().tokensIssued() - tokensBefore).as("access tokens are cached").isLessThanOrEqualTo(1);
    }

    /** FCM's receipt is the message's name: a 200 without one is an unconfirmed attempt, sent again. */
    @Test
    void aTwoHundredWithoutTheMessageNameIsNoReceipt() {
        PushStandIns.fcm().script("fcm-nameless", FcmStandIn.Answer.NO_RECEIPT);
        Fixtures.customer("nameless", "nr-1", null, Fixtures.device(APP, "FCM", "fcm-nameless"));
        long id = Fixtures.pushNotice("nameless", "nameless", List.of("PUSH"), null);
        given().post("/v1/notices/{id}/dispatch", id).then().statusCode(202);
        Fixtures.awaitCompleted(id, Duration.ofSeconds(60));

        JsonPath push = customerDeliveries("nr-1");
        assertThat(push.getString("deliveries[0].delivery.status")).isEqualTo("SENT");
        assertThat(push.getInt("deliveries[0].delivery.attempts")).isEqualTo(2);
        assertThat(push.getList("deliveries[0].events.detail", String.class))
                .anyMatch(detail -> detail.contains("FCM answered 200 without the message's name: no receipt"));
        assertThat(PushStandIns.fcm().received().stream().filter(r -> r.token().equals("fcm-nameless")).count())
                .isEqualTo(2);
    }

    @Test
    void refusedCredentialsPauseTheNoticeUntilAnOperatorResumesIt() {
        Fixtures.customer("refused", "cr-1", null, Fixtures.device(APP, "FCM", "fcm-cred-1"));
        Fixtures.customer("refused", "cr-2", null, Fixtures.device(APP, "FCM", "fcm-cred-2"));
        long id = Fixtures.pushNotice("refused", "refused", List.of("PUSH"), null);
        PushStandIns.fcm().refuseCredentials(true);
        try {
            given().post("/v1/notices/{id}/dispatch", id).then().statusCode(202);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/v1/notices/{id}", id).then()
                    .body("status", equalTo("PAUSED"))
                    .body("pauseReason", org.hamcrest.Matchers.startsWith("FCM ")));
            assertThat(given().get("/v1/notices/{id}/progress", id).then().extract().jsonPath().getMap("byStatus"))
                    .doesNotContainKey("FAILED");
        } finally {
            PushStandIns.fcm().refuseCredentials(false);
        }
        given().post("/v1/notices/{id}/resume", id).then().statusCode(200).body("pauseReason", equalTo(null));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/v1/notices/{id}", id)
                .then().body("status", equalTo("COMPLETED")).body("progress.byStatus.SENT", equalTo(2)));
    }

    private static List<Map<String, Object>> deliveries(String customer) {
        return customerDeliveries(customer).getList("deliveries.delivery");
    }

    private static JsonPath customerDeliveries(String customer) {
        return given().get("/v1/customers/{id}/deliveries", customer).then().statusCode(200).extract().jsonPath();
    }
}
