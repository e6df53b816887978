package dev.herald.support;

import static io.restassured.RestAssured.given;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.restassured.http.ContentType;

/** Builds requests the tests share: customers and a complete notice. */
public final class Fixtures {

    private Fixtures() {
    }

    public static void putCustomer(String id, Map<String, Object> body) {
        given().contentType(ContentType.JSON).body(body)
                .when().put("/v1/customers/{id}", id)
                .then().statusCode(org.hamcrest.Matchers.anyOf(org.hamcrest.Matchers.is(200), org.hamcrest.Matchers.is(201)));
    }

    public static Map<String, Object> sections(String language) {
        return Map.of(
                "whatHappened", "[" + language + "] On 20 November an attacker copied part of our customer database.",
                "informationInvolved", "[" + language + "] Your name and email address.",
                "whatWeAreDoing", "[" + language + "] We closed the hole and reset sessions.",
                "whatYouCanDo", "[" + language + "] Change your password, {customer.displayName}.",
                "contact", "[" + language + "] security@example.com");
    }

    public static Map<String, Object> template(String language, String greeting) {
        return Map.of(
                "subject", "[" + language + "] Security notice for {customer.displayName}",
                "sections", sections(language),
                "html", "<p>" + greeting + " {customer.displayName},</p><p>{sections.whatHappened}</p>"
                        + "<p>{sections.informationInvolved}</p><p>{sections.whatWeAreDoing}</p>"
                        + "<p>{sections.whatYouCanDo}</p><p>{sections.contact}</p>",
                "text", greeting + " {customer.displayName},\n\n{sections.whatHappened}\n{sections.informationInvolved}\n"
                        + "{sections.whatWeAreDoing}\n{sections.whatYouCanDo}\n{sections.contact}\n");
    }

    /** A notice in English, French and German addressed to the given audience, under no particular law. */
    public static Map<String, Object> notice(String name, Map<String, Object> audience) {
        return Map.of(
                "name", name,
                "channels", List.of("EMAIL"),
                "audience", audience,
                "fallbackLocale", "en",
                "facts", facts(),
                "templates", Map.of(
                        "en", template("en", "Dear"),
                        "fr", template("fr", "Bonjour"),
                        "de", template("de", "Hallo")));
    }

    /** What is known of the breach the tests' notices tell of. */
    public static Map<String, Object> facts() {
        return Map.of(
                "discoveredAt", "2026-11-20T14:00:00Z",
                "breachStart", "2026-11-17",
                "breachEnd", "2026-11-19",
                "dataTypes", List.of("NAME", "EMAIL"),
                "lawEnforcementDelay", false,
                "organisation", Map.of("name", "Example Games Inc."),
                "contact", Map.of("name", "Privacy Office", "email", "privacy@example.com", "phone", "+1 800 555 0100"));
    }

    /** Imports n customers "{tag}-{i}" at "{tag}-{i}@{tag}.example", tagged {tag}, in one NDJSON request. */
    public static void importCustomers(String tag, int n) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < n; i++) {
            body.append("{\"id\":\"").append(tag).append('-').append(i).append("\",\"email\":\"").append(tag).append('-')
                    .append(i).append('@').append(tag).append(".example\",\"displayName\":\"Customer ").append(i)
                    .append("\",\"locale\":\"en\",\"tags\":[\"").append(tag).append("\"]}\n");
        }
        given().contentType("application/x-ndjson").body(body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .post("/v1/customers/import")
                .then().statusCode(200).body("received", org.hamcrest.Matchers.equalTo(n)).body("rejected", org.hamcrest.Matchers.equalTo(0));
    }

    /** Creates a notice to every customer tagged {tag} and dispatches it. */
    public static long dispatchToTag(String tag) {
        long notice = createNotice(notice(tag, Map.of("criteria", Map.of("tag", tag))));
        given().post("/v1/notices/{id}/dispatch", notice).then().statusCode(202);
        return notice;
    }

    /** Sets the fleet's email send limit. */
    public static void emailLimit(double messagesPerSecond, int connections) {
        given().contentType(ContentType.JSON)
                .body(Map.of("messagesPerSecond", messagesPerSecond, "connections", connections))
                .put("/v1/limits/email")
                .then().statusCode(200);
    }

    /** Waits until the notice is COMPLETED, failing after {@code within}. */
    public static void awaitCompleted(long notice, java.time.Duration within) {
        org.awaitility.Awaitility.await().atMost(within).untilAsserted(() -> given().get("/v1/notices/{id}", notice)
                .then().body("status", org.hamcrest.Matchers.equalTo("COMPLETED")));
    }

    public static long createNotice(Map<String, Object> notice) {
        return given().contentType(ContentType.JSON).body(notice)
                .when().post("/v1/notices")
                .then().statusCode(201)
                .extract().jsonPath().getLong("id");
    }

    /** A notice in English with push templates to the customers tagged {@code tag}, created (DRAFT). */
    public static long pushNotice(String name, String tag, List<String> channels, String fallback) {
        Map<String, Object> notice = new HashMap<>(notice(name, Map.of("criteria", Map.of("tag", tag))));
        notice.put("channels", channels);
        if (fallback != null) {
            notice.put("fallback", fallback);
        }
        notice.put("templates", Map.of("en", pushTemplate()));
        return createNotice(notice);
    }

    private static Map<String, Object> pushTemplate() {
        Map<String, Object> template = new HashMap<>(template("en", "Dear"));
        template.put("push", Map.of("title", "Security notice",
                "body", "Open the Example app to read an important message about your account."));
        return template;
    }

    public static Map<String, Object> device(String appId, String platform, String token) {
        return Map.of("platform", platform, "token", token, "appId", appId);
    }

    @SafeVarargs
    public static void customer(String tag, String id, String email, Map<String, Object>... devices) {
        Map<String, Object> body = new HashMap<>();
        if (email != null) {
            body.put("email", email);
        }
        body.put("locale", "en");
        body.put("tags", List.of(tag));
        body.put("devices", List.of(devices));
        given().contentType(ContentType.JSON).body(body).put("/v1/customers/{id}", id).then().statusCode(201);
    }
}
