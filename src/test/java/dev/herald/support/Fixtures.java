package dev.herald.support;

import static io.restassured.RestAssured.given;

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

    /** A notice in English, French and German addressed to the given audience. */
    public static Map<String, Object> notice(String name, Map<String, Object> audience) {
        return Map.of(
                "name", name,
                "channels", List.of("EMAIL"),
                "audience", audience,
                "fallbackLocale", "en",
                "templates", Map.of(
                        "en", template("en", "Dear"),
                        "fr", template("fr", "Bonjour"),
                        "de", template("de", "Hallo")));
    }

    public static long createNotice(Map<String, Object> notice) {
        return given().contentType(ContentType.JSON).body(notice)
                .when().post("/v1/notices")
                .then().statusCode(201)
                .extract().jsonPath().getLong("id");
    }
}
