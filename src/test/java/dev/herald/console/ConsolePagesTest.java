package dev.herald.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.support.Fixtures;
import dev.herald.support.HeraldTest;
import io.restassured.response.Response;

/**
 * The console's pages as HTML: sign-in and its refusals, what each role sees, the timeline in plain
 * words, the summary's evidence digest against a downloaded export. The browser test drives the
 * same pages in Chromium.
 */
@HeraldTest
class ConsolePagesTest {

    private static final String PUSH_APP = "com.example.breach";

    @Test
    void aPersonNotSignedInIsSentToSignInAndBroughtBack() {
        given().header("Authorization", "").redirects().follow(false).get("/console/customers?q=x")
                .then().statusCode(303)
                .header("Location", containsString("/console/sign-in?then=%2Fconsole%2Fcustomers%3Fq%3Dx"));
        Response signedIn = given().header("Authorization", "").redirects().follow(false).contentType("application/x-www-form-urlencoded")
                .formParam("name", "Sam Support").formParam("role", "support")
                .formParam("then", "/console/customers?q=x").post("/console/sign-in");
        assertThat(signedIn.statusCode()).isEqualTo(303);
        assertThat(signedIn.header("Location")).endsWith("/console/customers?q=x");
        String cookie = signedIn.header("Set-Cookie");
        assertThat(cookie).startsWith("herald-session=").contains("HttpOnly").containsIgnoringCase("SameSite=Strict");
    }

    @Test
    void signInRefusesWhatItCannotUseAndNeverSendsPeopleElsewhere() {
        signInForm("", List.of("support"), null).then().statusCode(400).body(containsString("Enter your name."));
        signInForm("Sam", List.of(), null).then().statusCode(400).body(containsString("Choose at least one role."));
        signInForm("Sam", List.of("root"), null).then().statusCode(400).body(containsString("Choose among the roles listed."));
        signInForm("<script>", List.of("support"), null).then().statusCode(400)
                .body(containsString("letters, digits, spaces")).body(not(containsString("<script>")));
        assertThat(signInForm("Sam", List.of("support"), "https://evil.example/").header("Location")).endsWith("/console");
        assertThat(signInForm("Sam", List.of("support"), "//evil.example/").header("Location")).endsWith("/console");
    }

    @Test
    void localSignInIsRefusedInTheProdProfile() {
        assertThatThrownBy(() -> LocalSignIn.requireNonProduction(true, List.of("prod")))
                .hasMessageContaining("refused in the prod profile");
        LocalSignIn.requireNonProduction(true, List.of("demo"));
        LocalSignIn.requireNonProduction(false, List.of("prod"));
    }

    @Test
    void aRoleWithoutSupportIsShownWhyNotTheCustomer() {
        String cookie = session("Nora Notifier", "notifier");
        given().cookie("herald-session", cookie).get("/console/customers").then().statusCode(403)
                .contentType(containsString("text/html")).body(containsString("Forbidden"));
    }

    @Test
    void supportReadsTheTimelineInPlainWordsWithContactDataMasked() {
        Fixtures.customer("console-words", "cw-mail", "Reached.Person@Console.example");
        Fixtures.customer("console-words", "cw-push", null, Fixtures.device(PUSH_APP, "FCM", "fcm-console-words-token"));
        long notice = Fixtures.pushNotice("Console words", "console-words", List.of("EMAIL", "PUSH"), "EMAIL_THEN_PUSH");
        given().post("/v1/notices/{id}/dispatch", notice).then().statusCode(202);
        Fixtures.awaitCompleted(notice, Duration.ofSeconds(60));

        String support = session("Sam Support", "support");
        // By email address, in another case: one match goes straight to the customer.
        Response found = given().cookie("herald-session", support).redirects().follow(false)
                .queryParam("q", "reached.person@console.EXAMPLE").get("/console/customers");
        assertThat(found.statusCode()).isEqualTo(303);
        assertThat(found.header("Location")).endsWith("/console/customers/cw-mail");

        String mail = page(support, "/console/customers/cw-mail");
        assertThat(mail).contains("Email accepted by the mail server on", "R***@Console.example", "Console words")
                .doesNotContain("Reached.Person@");
        String push = page(support, "/console/customers/cw-push");
        assertThat(push).contains("Email not sent: no email address; sent by push instead",
                "Sent because the notice&#39;s first channel did not reach the customer",
                "Push accepted by Google&#39;s push service (FCM)", "(…-token)")
                .doesNotContain("fcm-console-words-token");
        assertThat(page(session("Pia Privacy", "support", "support-pii"), "/console/customers/cw-mail"))
                .contains("Reached.Person@Console.example");

        given().get("/v1/audit?actor=Sam Support").then().body(containsString("CUSTOMER_VIEWED"));

        long pushDelivery = given().get("/v1/customers/cw-push/deliveries").then().extract().jsonPath()
                .getLong("deliveries.find { it.delivery.channel == 'PUSH' }.delivery.id");
        String content = page(support, "/console/customers/cw-push/deliveries/" + notice + "/" + pushDelivery);
        assertThat(content).contains("byte for byte what was sent", "Security notice",
                "Open the Example app to read an important message about your account.")
                .doesNotContain("fcm-console-words-token");
    }

    @Test
    void theSummaryQuotesTheDigestOfTheEvidenceAnOperatorDownloads() throws Exception {
        Fixtures.importCustomers("console-summary", 12);
        long notice = Fixtures.dispatchToTag("console-summary");
        Fixtures.awaitCompleted(notice, Duration.ofSeconds(60));
        String operator = session("Olga Operator", "operator");

        String summary = page(operator, "/console/notices/" + notice + "/summary");
        assertThat(summary).contains("Breach notification summary", "Example Games Inc.", "12 customers, 12 deliveries by email",
                "99 % delivered", "What happened", "[fr] On 20 November an attacker copied part of our customer database.");
        String digest = page(operator, "/console/notices/" + notice + "/digest");
        byte[] export = given().cookie("herald-session", operator).header("Authorization", "")
                .get("/v1/notices/{id}/evidence", notice).then().statusCode(200).extract().asByteArray();
        String[] lines = new String(export, StandardCharsets.UTF_8).split("\n");
        JsonNode trailer = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertThat(digest).contains(trailer.path("digest").asText());

        String live = page(operator, "/console/notices/" + notice);
        assertThat(live).contains("data-progress=\"/v1/notices/" + notice + "/progress\"", "Pause", "Resume", "Cancel");
        java.util.regex.Matcher perSecond = java.util.regex.Pattern.compile("&quot;finished&quot;:(\\d+)").matcher(live);
        long charted = 0;
        while (perSecond.find()) {
            charted += Long.parseLong(perSecond.group(1));
        }
        assertThat(charted).as("the chart starts from every delivery finished in the last ten minutes").isEqualTo(12);
        assertThat(page(session("Sam Support", "support"), "/console/notices/" + notice))
                .doesNotContain("hx-post=\"/v1/notices/" + notice + "/pause\"");
    }

    static String session(String name, String... roles) {
        return signInForm(name, List.of(roles), null).then().statusCode(303).extract().cookie("herald-session");
    }

    private static Response signInForm(String name, List<String> roles, String then) {
        var request = given().header("Authorization", "").redirects().follow(false)
                .contentType("application/x-www-form-urlencoded").formParam("name", name);
        if (!roles.isEmpty()) {
            request.formParam("role", roles.toArray());
        }
        if (then != null) {
            request.formParam("then", then);
        }
        return request.post("/console/sign-in");
    }

    private static String page(String cookie, String path) {
        return given().cookie("herald-session", cookie).header("Authorization", "").get(path)
                .then().statusCode(200).contentType(containsString("text/html")).extract().asString();
    }
}
