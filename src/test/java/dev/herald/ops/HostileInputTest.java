package dev.herald.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.herald.support.Fixtures;
import dev.herald.support.HeraldTest;
import dev.herald.support.Tokens;
import io.agroal.api.AgroalDataSource;
import io.restassured.RestAssured;

/**
 * Hostile and careless input across every operation of the API, as a new user or an attacker would
 * send it. Every case must get a 4xx application/problem+json that speaks of the request (never of
 * Java), no 5xx, and leave every table a request could write exactly as it was.
 */
@HeraldTest
class HostileInputTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_TYPE = "application/json";
    private static final String NDJSON = "application/x-ndjson";
    /**
     * What a request could change, and the audit log (a refused request is not an action); the dispatch
     * machinery's own tables, and notices' statuses, move on their own and are left out.
     */
    private static final Map<String, String> TABLES = Map.of(
            "customer", "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY id), '')) FROM customer t",
            "device", "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY id), '')) FROM device t",
            "segment", "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY id), '')) FROM segment t",
            "affected_account", "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY notice_id, customer_id), ''))"
                    + " FROM affected_account t",
            "send_limit", "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM send_limit t",
            "notice", "SELECT md5(coalesce(string_agg(concat_ws(',', id, name, audience, templates, approved_by,"
                    + " dispatched_by, dispatched_at), '|' ORDER BY id), '')) FROM notice",
            "audit_log", "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY id), '')) FROM audit_log t");

    /** Templates that took a pod's heap (-Xmx768m) before renders had a budget. */
    private static final Map<String, String> TEMPLATE_BOMBS = Map.of(
            "four nested loops of 100", "{#for a in 100}{#for b in 100}{#for c in 100}{#for d in 100}xxxxxxxxxx"
                    + "{/for}{/for}{/for}{/for}",
            "a signed count", "{#for i in +2000000000}x{/for}",
            "a long count", "{#for i in 2000000000L}x{/for}",
            "a count from {#let}", "{#let n=2000000000}{#for i in n}x{/for}{/let}");
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String TOKEN = Tokens.of("hostile", "admin");
    private static long draft;

    @Inject
    AgroalDataSource dataSource;

    record Case(String name, String method, String path, String contentType, byte[] body, Map<String, String> headers,
            int status, String mentions) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        // Notices: the body
        cases.add(json("notice name with NUL", "POST", "/v1/notices", notice(n -> n.put("name", "a\u0000b")), 400, "name"));
        cases.add(json("notice subject with NUL", "POST", "/v1/notices",
                notice(n -> template(n).put("subject", "x\u0000")), 400, "NUL"));
        cases.add(json("notice variable with NUL", "POST", "/v1/notices",
                notice(n -> n.putArray("variables").add("a\u0000")), 400, "variables"));
        cases.add(json("notice criteria value overflowing a double", "POST", "/v1/notices",
                notice(n -> n.putObject("audience").putRawValue("criteria",
                        new com.fasterxml.jackson.databind.util.RawValue("{\"attribute\": \"x\", \"eq\": 1e999999}"))),
                400, "range"));
        cases.add(raw("notice body null", "POST", "/v1/notices", JSON_TYPE, "null", 400, ""));
        cases.add(raw("notice body an array", "POST", "/v1/notices", JSON_TYPE, "[]", 400, "expected an object"));
        cases.add(raw("notice body a number", "POST", "/v1/notices", JSON_TYPE, "42", 400, "expected an object"));
        cases.add(raw("notice body a string", "POST", "/v1/notices", JSON_TYPE, "\"notice\"", 400, "expected an object"));
        cases.add(raw("notice body cut short", "POST", "/v1/notices", JSON_TYPE, "{\"name\": \"x\"", 400, "line 1"));
        cases.add(raw("notice with criteria nested 200 deep", "POST", "/v1/notices", JSON_TYPE,
                "{\"name\":\"deep\",\"audience\":{\"criteria\":" + "{\"not\":".repeat(200) + "{\"tag\":\"x\"}"
                        + "}".repeat(200) + "}}", 400, "nested deeper than"));
        cases.add(json("notice with an unknown field", "POST", "/v1/notices", notice(n -> n.put("priority", "high")),
                400, "priority"));
        cases.add(json("notice channels not a list", "POST", "/v1/notices", notice(n -> n.put("channels", "EMAIL")),
                400, "channels"));
        cases.add(json("notice channel unknown", "POST", "/v1/notices",
                notice(n -> n.putArray("channels").add("FAX")), 400, "channels"));
        cases.add(json("notice template with {#eval}", "POST", "/v1/notices",
                notice(n -> template(n).put("text", "{#eval customer.displayName /}")), 400, "text"));
        cases.add(json("notice template with {#include}", "POST", "/v1/notices",
                notice(n -> template(n).put("html", "{#include base /}")), 400, "html"));
        cases.add(json("notice subject looping two million times", "POST", "/v1/notices",
                notice(n -> template(n).put("subject", "{#for i in 2000000}x{/for}")), 400, "at most 100"));
        TEMPLATE_BOMBS.forEach((name, html) -> cases.add(json("notice template bomb: " + name, "POST", "/v1/notices",
                notice(n -> template(n).put("html", html)), 400, "templates.en.html")));
        cases.add(json("notice loop over a customer attribute", "POST", "/v1/notices",
                notice(n -> template(n).put("subject", "{#for i in customer.attributes.n}x{/for}")), 400, "loop"));
        cases.add(json("notice reading a property of an attribute", "POST", "/v1/notices",
                notice(n -> template(n).put("text", "{#if customer.attributes.plan}{customer.attributes.plan.nope}{/if}")),
                400, "nope"));
        cases.add(json("notice reading the configuration", "POST", "/v1/notices",
                notice(n -> template(n).put("text", "{config:quarkus.datasource.password}")), 400, "text"));
        cases.add(json("notice reading an unknown customer field", "POST", "/v1/notices",
                notice(n -> template(n).put("subject", "{customer.password}")), 400, "customer.password"));
        cases.add(json("notice fallback locale without a template", "POST", "/v1/notices",
                notice(n -> n.put("fallbackLocale", "ja")), 400, "fallbackLocale"));
        cases.add(json("notice locale that is no language tag", "POST", "/v1/notices",
                notice(n -> n.put("fallbackLocale", "en\u0000")), 400, "fallbackLocale"));
        cases.add(json("notice with a key given twice", "POST", "/v1/notices",
                notice(n -> { }).replaceFirst("\\{", "{\"name\": \"first\", "), 400, "name"));
        cases.add(new Case("notice with invalid UTF-8", "POST", "/v1/notices", JSON_TYPE,
                concat("{\"name\": \"".getBytes(StandardCharsets.UTF_8), new byte[] { (byte) 0xC3, (byte) 0x28 },
                        "\"}".getBytes(StandardCharsets.UTF_8)), Map.of(), 400, "UTF-8"));
        cases.add(new Case("notice without Content-Type", "POST", "/v1/notices", null,
                notice(n -> { }).getBytes(StandardCharsets.UTF_8), Map.of(), 415, "Content-Type"));
        cases.add(raw("notice as text/plain", "POST", "/v1/notices", "text/plain", notice(n -> { }), 415, ""));
        cases.add(raw("notice body over the 1 MB limit", "POST", "/v1/notices", JSON_TYPE,
                notice(n -> n.put("name", "x".repeat(1_100_000))), 413, "1048576"));
        cases.add(new Case("notice Idempotency-Key over 200 characters", "POST", "/v1/notices", JSON_TYPE,
                notice(n -> { }).getBytes(StandardCharsets.UTF_8), Map.of("Idempotency-Key", "k".repeat(300)), 400,
                "Idempotency-Key"));
        cases.add(json("notice without templates", "POST", "/v1/notices", notice(n -> n.remove("templates")), 400,
                "templates"));
        cases.add(json("notice with an empty audience", "POST", "/v1/notices",
                notice(n -> n.putObject("audience")), 400, "audience"));
        cases.add(json("notice criteria on an unknown field", "POST", "/v1/notices",
                notice(n -> n.putObject("audience").putObject("criteria").put("field", "password").putArray("in").add("x")),
                400, "password"));
        // Notices: the path and the query
        for (String op : List.of("approve", "dispatch", "pause", "resume", "cancel")) {
            cases.add(raw(op + " of notice abc", "POST", "/v1/notices/abc/" + op, null, null, 400, "id"));
        }
        cases.add(raw("notice abc", "GET", "/v1/notices/abc", null, null, 400, "whole number"));
        cases.add(raw("notice id beyond a long", "GET", "/v1/notices/99999999999999999999", null, null, 400, "id"));
        cases.add(raw("notice id with NUL", "GET", "/v1/notices/1%00", null, null, 400, "id"));
        cases.add(raw("progress of notice 1.5", "GET", "/v1/notices/1.5/progress", null, null, 400, "id"));
        cases.add(raw("deliveries with status HACKED", "GET", "/v1/notices/{draft}/deliveries?status=HACKED", null,
                null, 400, "status"));
        cases.add(raw("deliveries with limit -1", "GET", "/v1/notices/{draft}/deliveries?limit=-1", null, null, 400,
                "limit"));
        cases.add(raw("deliveries with limit abc", "GET", "/v1/notices/{draft}/deliveries?limit=abc", null, null, 400,
                "limit"));
        cases.add(raw("deliveries with limit 100000", "GET", "/v1/notices/{draft}/deliveries?limit=100000", null, null,
                400, "limit"));
        cases.add(raw("deliveries after x", "GET", "/v1/notices/{draft}/deliveries?after=x", null, null, 400, "after"));
        cases.add(raw("deliveries after -3", "GET", "/v1/notices/{draft}/deliveries?after=-3", null, null, 400, "after"));
        cases.add(raw("deliveries of an unknown notice", "GET", "/v1/notices/987654321/deliveries", null, null, 404,
                "987654321"));
        cases.add(raw("preview with a NUL customer id", "POST", "/v1/notices/{draft}/preview", JSON_TYPE,
                "{\"customerId\": \"a\\u0000\"}", 400, "customerId"));
        cases.add(raw("preview without a customer", "POST", "/v1/notices/{draft}/preview", JSON_TYPE, "{}", 400,
                "customerId"));
        cases.add(raw("preview with a NUL variable name", "POST", "/v1/notices/{draft}/preview", JSON_TYPE,
                "{\"customerId\": \"c\", \"variables\": {\"a\\u0000\": 1}}", 400, "NUL"));
        cases.add(raw("preview variable overflowing a double", "POST", "/v1/notices/{draft}/preview", JSON_TYPE,
                "{\"customerId\": \"c\", \"variables\": {\"a\": -1e999999}}", 400, "range"));
        cases.add(raw("affected list without Content-Type", "POST", "/v1/notices/{draft}/affected", null,
                "{\"customerId\": \"x\"}\n", 415, "Content-Type"));
        cases.add(raw("affected list as JSON", "POST", "/v1/notices/{draft}/affected", JSON_TYPE,
                "{\"customerId\": \"x\"}", 415, ""));
        cases.add(raw("affected list of a notice to criteria", "POST", "/v1/notices/{draft}/affected", NDJSON,
                "{\"customerId\": \"x\"}\n", 409, "affected-account list"));
        cases.add(raw("approve an unknown notice", "POST", "/v1/notices/987654321/approve", null, null, 404, "987654321"));
        cases.add(raw("evidence in an unknown format", "GET", "/v1/notices/{draft}/evidence?format=pdf", null, null, 400,
                "format"));
        cases.add(raw("content of delivery abc", "GET", "/v1/notices/{draft}/deliveries/abc/content", null, null, 400,
                "deliveryId"));
        cases.add(raw("content of an unknown delivery", "GET", "/v1/notices/{draft}/deliveries/5/content", null, null,
                404, "delivery"));
        cases.add(raw("unreached after a NUL", "GET", "/v1/notices/{draft}/unreached?after=a%00", null, null, 400,
                "after"));
        // Customers
        cases.add(raw("customer id with NUL", "PUT", "/v1/customers/a%00b", JSON_TYPE, "{}", 400, "id"));
        cases.add(raw("customer email with NUL", "PUT", "/v1/customers/hostile-1", JSON_TYPE,
                "{\"email\": \"a\\u0000@example.com\"}", 400, "email"));
        cases.add(raw("customer name with NUL", "PUT", "/v1/customers/hostile-1", JSON_TYPE,
                "{\"displayName\": \"Ann\\u0000\"}", 400, "displayName"));
        cases.add(raw("customer attribute key with NUL", "PUT", "/v1/customers/hostile-1", JSON_TYPE,
                "{\"attributes\": {\"a\\u0000\": \"x\"}}", 400, "NUL"));
        cases.add(raw("customer attribute value with NUL", "PUT", "/v1/customers/hostile-1", JSON_TYPE,
                "{\"attributes\": {\"plan\": \"x\\u0000\"}}", 400, "attributes.plan"));
        cases.add(raw("customer attribute that is an object", "PUT", "/v1/customers/hostile-1", JSON_TYPE,
                "{\"attributes\": {\"plan\": {\"tier\": 1}}}", 400, "attributes.plan"));
        cases.add(raw("customer attribute overflowing a double", "PUT", "/v1/customers/hostile-1", JSON_TYPE,
                "{\"attributes\": {\"score\": 1e999999}}", 400, "attributes.score"));
        cases.add(raw("customer tag with NUL", "PUT", "/v1/customers/hostile-1", JSON_TYPE,
                "{\"tags\": [\"a\\u0000\"]}", 400, "tags"));
        cases.add(raw("customer locale that is no language tag", "PUT", "/v1/customers/hostile-1", JSON_TYPE,
                "{\"locale\": \"english please\"}", 400, "locale"));
        cases.add(raw("customer email that is no address", "PUT", "/v1/customers/hostile-1", JSON_TYPE,
                "{\"email\": \"not an address\"}", 400, "email"));
        cases.add(raw("customer device token with NUL", "PUT", "/v1/customers/hostile-1", JSON_TYPE,
                "{\"devices\": [{\"platform\": \"FCM\", \"appId\": \"a.b\", \"token\": \"t\\u0000\"}]}", 400, "token"));
        cases.add(raw("customer device on an unknown platform", "PUT", "/v1/customers/hostile-1", JSON_TYPE,
                "{\"devices\": [{\"platform\": \"BLACKBERRY\", \"appId\": \"a.b\", \"token\": \"t\"}]}", 400, "platform"));
        cases.add(raw("customer whose body names another id", "PUT", "/v1/customers/hostile-1", JSON_TYPE,
                "{\"id\": \"hostile-2\"}", 400, "id"));
        cases.add(raw("customer tags not a list", "PUT", "/v1/customers/hostile-1", JSON_TYPE, "{\"tags\": \"vip\"}",
                400, "tags"));
        cases.add(raw("customer with 101 tags", "PUT", "/v1/customers/hostile-1", JSON_TYPE,
                "{\"tags\": [" + "\"t\",".repeat(100) + "\"t\"]}", 400, "tags"));
        cases.add(raw("customer body over the 1 MB limit", "PUT", "/v1/customers/hostile-1", JSON_TYPE,
                "{\"displayName\": \"" + "x".repeat(1_100_000) + "\"}", 413, "at most"));
        cases.add(new Case("customer without Content-Type", "PUT", "/v1/customers/hostile-1", null,
                "{}".getBytes(StandardCharsets.UTF_8), Map.of(), 415, "Content-Type"));
        cases.add(raw("customer as XML", "PUT", "/v1/customers/hostile-1", "application/xml", "<customer/>", 415, ""));
        cases.add(raw("customer with NUL in the path", "GET", "/v1/customers/x%00", null, null, 400, "id"));
        cases.add(raw("deliveries of a customer with NUL", "GET", "/v1/customers/x%00/deliveries", null, null, 400, "id"));
        cases.add(raw("devices of a customer with NUL", "GET", "/v1/customers/x%00/devices", null, null, 400, "id"));
        cases.add(raw("device without anything", "POST", "/v1/customers/hostile-1/devices", JSON_TYPE, "{}", 400,
                "platform"));
        cases.add(raw("device APNs token that is not hexadecimal", "POST", "/v1/customers/hostile-1/devices", JSON_TYPE,
                "{\"platform\": \"APNS\", \"appId\": \"a.b\", \"token\": \"zz\"}", 400, "token"));
        cases.add(raw("device id abc", "DELETE", "/v1/customers/hostile-1/devices/abc", null, null, 400, "deviceId"));
        cases.add(raw("import without Content-Type", "POST", "/v1/customers/import", null, "{\"id\": \"x\"}\n", 415,
                "Content-Type"));
        cases.add(raw("import as JSON", "POST", "/v1/customers/import", JSON_TYPE, "{\"id\": \"x\"}", 415, ""));
        cases.add(raw("CSV import repeating a column", "POST", "/v1/customers/import", "text/csv",
                "id,email,email\nh-1,a@example.com,b@example.com\n", 400, "email"));
        cases.add(raw("CSV import with an unknown column", "POST", "/v1/customers/import", "text/csv",
                "id,password\nh-1,secret\n", 400, "password"));
        cases.add(raw("CSV import without an id column", "POST", "/v1/customers/import", "text/csv",
                "email\na@example.com\n", 400, "id"));
        // Segments
        cases.add(raw("segment name with NUL", "POST", "/v1/segments", JSON_TYPE,
                "{\"name\": \"a\\u0000\", \"criteria\": {\"tag\": \"x\"}}", 400, "name"));
        cases.add(raw("segment criteria nested 200 deep", "POST", "/v1/segments", JSON_TYPE,
                "{\"name\": \"deep\", \"criteria\": " + "{\"not\":".repeat(200) + "{\"tag\":\"x\"}" + "}".repeat(200) + "}",
                400, "nested deeper than"));
        cases.add(raw("segment criteria with an empty list", "POST", "/v1/segments", JSON_TYPE,
                "{\"name\": \"e\", \"criteria\": {\"any\": []}}", 400, "criteria.any"));
        cases.add(raw("segment criteria with a NUL tag", "POST", "/v1/segments", JSON_TYPE,
                "{\"name\": \"e\", \"criteria\": {\"tag\": \"a\\u0000\"}}", 400, "NUL"));
        cases.add(raw("segment count on an unknown field", "POST", "/v1/segments/count", JSON_TYPE,
                "{\"criteria\": {\"field\": \"ssn\", \"eq\": \"1\"}}", 400, "ssn"));
        cases.add(raw("segment count on a bad date", "POST", "/v1/segments/count", JSON_TYPE,
                "{\"criteria\": {\"field\": \"created_at\", \"after\": \"yesterday\"}}", 400, "ISO 8601"));
        cases.add(raw("segment abc", "GET", "/v1/segments/abc", null, null, 400, "id"));
        cases.add(raw("segment without Content-Type", "POST", "/v1/segments", null,
                "{\"name\": \"n\", \"criteria\": {\"tag\": \"x\"}}", 415, "Content-Type"));
        // Send limits
        cases.add(raw("limit of -1 per second", "PUT", "/v1/limits/email", JSON_TYPE,
                "{\"messagesPerSecond\": -1, \"connections\": 1}", 400, "messagesPerSecond"));
        cases.add(raw("limit overflowing a double", "PUT", "/v1/limits/email", JSON_TYPE,
                "{\"messagesPerSecond\": 1e999999, \"connections\": 1}", 400, "messagesPerSecond"));
        cases.add(raw("limit given as text", "PUT", "/v1/limits/email", JSON_TYPE,
                "{\"messagesPerSecond\": \"fast\", \"connections\": 1}", 400, "messagesPerSecond"));
        cases.add(raw("limit of an unknown channel", "GET", "/v1/limits/fax", null, null, 400, "channel"));
        cases.add(raw("limit without Content-Type", "PUT", "/v1/limits/email", null,
                "{\"messagesPerSecond\": 5, \"connections\": 1}", 415, "Content-Type"));
        // Audit
        cases.add(raw("audit of notice abc", "GET", "/v1/audit?notice=abc", null, null, 400, "notice"));
        cases.add(raw("audit after -5", "GET", "/v1/audit?after=-5", null, null, 400, "after"));
        cases.add(raw("audit with limit 0", "GET", "/v1/audit?limit=0", null, null, 400, "limit"));
        cases.add(raw("audit of an actor with NUL", "GET", "/v1/audit?actor=a%00", null, null, 400, "actor"));
        // The HTTP layer
        cases.add(raw("address of 10,000 characters", "GET", "/v1/notices/1?pad=" + "x".repeat(10_000), null, null, 414,
                "8192"));
        cases.add(new Case("headers of 20 KB", "GET", "/v1/notices/1", null, null, Map.of("X-Pad", "x".repeat(20_000)),
                431, "16384"));
        cases.add(raw("JSON body sent in chunks", "POST", "/v1/notices", "chunked", notice(n -> { }), 411,
                "Content-Length"));
        cases.add(raw("unknown path", "GET", "/v1/secrets", null, null, 404, ""));
        // Provider webhooks (signed, no token)
        cases.add(raw("email event unsigned and not JSON", "POST", "/v1/events/email", JSON_TYPE, "not json", 401,
                "X-Herald-Signature"));
        return cases.stream();
    }

    @Test
    void templateBombsAreRefusedInWellUnderASecondAndThePodStaysHealthy() {
        // A notice with a loop of its own first: the first render of all warms the engine up.
        given().header("Authorization", "Bearer " + TOKEN).contentType(JSON_TYPE)
                .body(notice(n -> template(n).put("html", "{#for i in 3}x{/for}"))).post("/v1/notices")
                .then().statusCode(201);
        for (Map.Entry<String, String> bomb : TEMPLATE_BOMBS.entrySet()) {
            long started = System.nanoTime();
            String body = notice(n -> template(n).put("html", bomb.getValue()));
            given().header("Authorization", "Bearer " + TOKEN).contentType(JSON_TYPE).body(body).post("/v1/notices")
                    .then().statusCode(400).body("errors[0].field", equalTo("templates.en.html"));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as(bomb.getKey()).isLessThan(Duration.ofSeconds(1));
        }
        given().get("/q/health/ready").then().statusCode(200);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedWithAProblemAndChangesNothing(Case c) throws Exception {
        draft();
        Map<String, String> before = snapshot();
        HttpResponse<String> response = send(c);
        Map<String, String> after = snapshot();

        assertThat(response.statusCode()).as(c.name() + ": " + response.body()).isEqualTo(c.status());
        assertThat(response.headers().firstValue("Content-Type").orElse(""))
                .as(c.name()).startsWith("application/problem+json");
        assertSpeaksOfTheRequest(JSON.readTree(response.body()), c);
        assertThat(after).as(c.name() + " changed stored data").isEqualTo(before);
    }

    /** What a problem must say (what the case names), and must not (anything of Java). */
    private static void assertSpeaksOfTheRequest(com.fasterxml.jackson.databind.JsonNode problem, Case c) {
        assertThat(problem.path("status").asInt()).isEqualTo(c.status());
        String text = problem.toString();
        assertThat(text).as(c.name() + ": " + text).contains(c.mentions());
        assertThat(text).as(c.name() + " speaks of Java: " + text)
                .doesNotContainPattern("java\\.|jakarta\\.|com\\.fasterxml|Exception|StreamReadConstraints|"
                        + "dev\\.herald|\\bat [a-z]+\\.[a-z]+\\.");
    }

    private HttpResponse<String> send(Case c) throws Exception {
        String path = c.path().replace("{draft}", String.valueOf(draft()));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + path))
                .header("Authorization", "Bearer " + TOKEN);
        c.headers().forEach(request::header);
        boolean chunked = "chunked".equals(c.contentType());
        HttpRequest.BodyPublisher body = c.body() == null ? HttpRequest.BodyPublishers.noBody()
                : chunked ? HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(c.body()))
                        : HttpRequest.BodyPublishers.ofByteArray(c.body());
        if (c.contentType() != null) {
            request.header("Content-Type", chunked ? JSON_TYPE : c.contentType());
        }
        return HTTP.send(request.method(c.method(), body).build(), HttpResponse.BodyHandlers.ofString());
    }

    private Map<String, String> snapshot() throws Exception {
        Map<String, String> hashes = new LinkedHashMap<>();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            for (Map.Entry<String, String> table : TABLES.entrySet()) {
                try (ResultSet row = statement.executeQuery(table.getValue())) {
                    row.next();
                    hashes.put(table.getKey(), row.getString(1));
                }
            }
        }
        return hashes;
    }

    /** A DRAFT notice to criteria, for the operations on one notice. */
    private static synchronized long draft() {
        if (draft == 0) {
            draft = Fixtures.createNotice(Fixtures.notice("hostile-draft", Map.of("criteria", Map.of("tag", "nobody"))));
        }
        return draft;
    }

    private static Case json(String name, String method, String path, String body, int status, String mentions) {
        return raw(name, method, path, JSON_TYPE, body, status, mentions);
    }

    private static Case raw(String name, String method, String path, String type, String body, int status,
            String mentions) {
        return new Case(name, method, path, type, body == null ? null : body.getBytes(StandardCharsets.UTF_8), Map.of(),
                status, mentions);
    }

    private static String notice(Consumer<ObjectNode> change) {
        ObjectNode notice = JSON.valueToTree(Fixtures.notice("hostile", Map.of("criteria", Map.of("tag", "nobody"))));
        change.accept(notice);
        return notice.toString();
    }

    private static ObjectNode template(ObjectNode notice) {
        return (ObjectNode) notice.get("templates").get("en");
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
