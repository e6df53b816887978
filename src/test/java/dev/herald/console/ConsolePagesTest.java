package dev.herald.console;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.ops.Jdbc;
import dev.herald.support.Fixtures;
import dev.herald.support.HeraldTest;
import dev.herald.support.Tokens;
import io.agroal.api.AgroalDataSource;
import io.restassured.response.Response;

/**
 * The console's pages as HTML: sign-in and its refusals, what each role sees, the timeline in plain
 * words, the summary's evidence digest against a downloaded export. The browser test drives the
 * same pages in Chromium.
 */
@HeraldTest
class ConsolePagesTest {

    private static final String PUSH_APP = "com.example.breach";

    @Inject
    AgroalDataSource dataSource;

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

        // A fragment htmx polls for a page whose session ended: the whole page goes to sign-in, and back to it.
        given().header("Authorization", "").header("HX-Request", "true")
                .header("HX-Current-URL", "http://localhost/console/notices/7").redirects().follow(false)
                .get("/console/notices/7/failures")
                .then().statusCode(200).header("HX-Redirect", "/console/sign-in?then=%2Fconsole%2Fnotices%2F7");
    }

    @Test
    void theConsolesAddressLeadsEachRoleToItsStart() {
        assertThat(given().cookie("herald-session", session("Sam Support", "support")).header("Authorization", "")
                .redirects().follow(false).get("/console").header("Location")).endsWith("/console/customers");
        assertThat(given().cookie("herald-session", session("Olga Operator", "operator")).header("Authorization", "")
                .redirects().follow(false).get("/console").header("Location")).endsWith("/console/notices");
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
    void badInputOnConsolePagesGetsAPageThatSpeaksOfTheRequest() {
        String support = session("Sam Support", "support");
        for (String query : List.of("x".repeat(321), "cust\u0001")) {
            given().cookie("herald-session", support).header("Authorization", "").queryParam("q", query)
                    .get("/console/customers").then().statusCode(400).contentType(containsString("text/html"))
                    .body(containsString("at most 320 characters and no control characters"));
        }
        String both = session("Olga Operator", "support", "operator");
        Map<String, String> expected = Map.of("/console/customers/nobody", "404 customer",
                "/console/notices/987654321/summary", "404 notice",
                "/console/customers/x/deliveries/abc/1", "400 whole number",
                "/console/notices/abc", "400 whole number");
        expected.forEach((path, answer) -> {
            String page = given().cookie("herald-session", both).header("Authorization", "").get(path)
                    .then().statusCode(Integer.parseInt(answer.substring(0, 3))).contentType(containsString("text/html"))
                    .extract().asString();
            assertThat(page).as(path).contains(answer.substring(4)).doesNotContain("java.", "Exception", "dev.herald");
        });
        signInForm("n".repeat(101), List.of("support"), null).then().statusCode(400)
                .body(containsString("at most 100 characters"));
        assertThat(signInForm("Sam", List.of("support"), "/console/" + "x".repeat(600)).header("Location"))
                .as("an overlong return address is ignored").endsWith("/console");
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
    void supportReadsTheTimelineInPlainWordsWithContactDataMasked() throws Exception {
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

        // A provider's reply that quotes an address is masked for support, in the API and on the page alike.
        try (var db = dataSource.getConnection()) {
            Jdbc.update(db, "UPDATE delivery SET last_error = '550 5.1.1 <quoted.person@console.example>: no such user'"
                    + " WHERE notice_id = ? AND customer_id = 'cw-mail'", notice);
        }
        given().header("Authorization", "Bearer " + Tokens.of("sue", "support")).get("/v1/customers/cw-mail/deliveries")
                .then().body(containsString("550 5.1.1 <<email address>>")).body(not(containsString("quoted.person@")));
        given().header("Authorization", "Bearer " + Tokens.of("pia", "support", "support-pii"))
                .get("/v1/customers/cw-mail/deliveries").then().body(containsString("quoted.person@console.example"));

        long pushDelivery = given().get("/v1/customers/cw-push/deliveries").then().extract().jsonPath()
                .getLong("deliveries.find { it.delivery.channel == 'PUSH' }.delivery.id");
        String path = "/console/customers/cw-push/deliveries/" + notice + "/" + pushDelivery;
        assertThat(page(support, path)).contains("byte for byte what was sent", "support-pii shows it")
                .doesNotContain("Open the Example app", "fcm-console-words-token");
        assertThat(page(session("Pia Privacy", "support", "support-pii"), path)).contains("Security notice",
                "Open the Example app to read an important message about your account.");
        given().cookie("herald-session", support).header("Authorization", "")
                .get("/console/customers/cw-mail/deliveries/" + notice + "/" + pushDelivery)
                .then().statusCode(404).contentType(containsString("text/html"));
    }

    @Test
    void theSummaryQuotesTheDigestOfTheEvidenceAnOperatorDownloads() throws Exception {
        Fixtures.importCustomers("console-summary", 12);
        long notice = Fixtures.dispatchToTag("console-summary");
        Fixtures.awaitCompleted(notice, Duration.ofSeconds(60));
        String operator = session("Olga Operator", "operator");

        String summary = page(operator, "/console/notices/" + notice + "/summary");
        assertThat(summary).contains("Breach notification summary", "Example Games Inc.", "12 customers, 12 deliveries by email",
                "99 % of the messages accepted", "What happened", "[fr] On 20 November an attacker copied part of our customer database.");
        String digest = page(operator, "/console/notices/" + notice + "/digest");
        byte[] export = given().cookie("herald-session", operator).header("Authorization", "")
                .get("/v1/notices/{id}/evidence", notice).then().statusCode(200).extract().asByteArray();
        String[] lines = new String(export, StandardCharsets.UTF_8).split("\n");
        JsonNode trailer = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertThat(digest).contains(trailer.path("digest").asText());

        String live = page(operator, "/console/notices/" + notice);
        assertThat(live).contains("data-progress=\"/v1/notices/" + notice + "/progress\"", "Pause", "Resume", "Cancel");
        Matcher perSecond = Pattern.compile("&quot;finished&quot;:(\\d+)").matcher(live);
        long charted = 0;
        while (perSecond.find()) {
            charted += Long.parseLong(perSecond.group(1));
        }
        assertThat(charted).as("the chart starts from every delivery finished in the last ten minutes").isEqualTo(12);
        assertThat(page(session("Sam Support", "support"), "/console/notices/" + notice))
                .doesNotContain("hx-post=\"/v1/notices/" + notice + "/pause\"");
        given().cookie("herald-session", operator).header("Authorization", "").get("/console/notices/" + notice + "/failures")
                .then().statusCode(NoticePages.STOP_POLLING).body(containsString("No delivery has failed"));
    }

    @Test
    void aChangeMadeWithTheConsoleSessionMustComeFromTheConsole() {
        Fixtures.importCustomers("console-guard", 3);
        long notice = Fixtures.createNotice(Fixtures.notice("console-guard", Map.of("criteria", Map.of("tag", "console-guard"))));
        String operator = session("Olga Operator", "operator");
        given().cookie("herald-session", operator).header("Authorization", "").post("/v1/notices/{id}/cancel", notice)
                .then().statusCode(403).contentType(containsString("application/problem+json"))
                .body(containsString("must come from the console"));
        given().get("/v1/notices/{id}", notice).then().body(containsString("\"DRAFT\""));
        given().cookie("herald-session", operator).header("Authorization", "").header("HX-Request", "true")
                .post("/v1/notices/{id}/cancel", notice).then().statusCode(200);
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
