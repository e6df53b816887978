package dev.herald.evidence;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.notice.NoticeRetention;
import dev.herald.ops.Jdbc;
import dev.herald.ops.PersonalDataFilter;
import dev.herald.support.Fixtures;
import dev.herald.support.HeraldTest;
import dev.herald.support.Tokens;
import io.agroal.api.AgroalDataSource;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * Proof for the regulator: content the laws require, the clock, a signed evidence export that
 * verifies offline and fails after one changed byte, every delivery's content re-made to the same
 * hash, the customers no channel reached, and retention that keeps the proof.
 */
@HeraldTest
class EvidenceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    NoticeRetention retention;
    @Inject
    AgroalDataSource dataSource;

    @Test
    void aCaliforniaNoticeMissingARequiredHeadingIsRefusedNamingIt() throws Exception {
        Map<String, Object> notice = sample("ca-missing");
        Map<String, Object> en = template(notice, "en");
        en.put("html", ((String) en.get("html")).replace("For More Information", "Contact"));
        given().contentType(ContentType.JSON).body(notice).post("/v1/notices").then().statusCode(400)
                .body("errors.field", hasItem("templates.en.html"))
                .body("detail", containsString("California Civil Code 1798.82 requires the heading \"For More Information\""));
    }

    @Test
    void aGdprNoticeWithoutAContactPointIsRefused() throws Exception {
        Map<String, Object> notice = sample("gdpr-no-contact");
        Map<String, Object> facts = new HashMap<>(facts(notice));
        facts.put("contact", Map.of("name", "Privacy Office", "website", "https://example.com/incident"));
        notice.put("facts", facts);
        given().contentType(ContentType.JSON).body(notice).post("/v1/notices").then().statusCode(400)
                .body("errors.field", hasItem("facts.contact"))
                .body("detail", containsString("GDPR Art. 33(3)(b)"));
        Map<String, Object> withoutConsequences = sample("gdpr-no-consequences");
        ((Map<String, Object>) template(withoutConsequences, "de").get("sections")).put("likelyConsequences", " ");
        given().contentType(ContentType.JSON).body(withoutConsequences).post("/v1/notices").then().statusCode(400)
                .body("errors.field", hasItem("templates.de.sections.likelyConsequences"));
    }

    @Test
    void socialSecurityNumbersNeedTheCreditBureausAndAYearOfProtection() throws Exception {
        Map<String, Object> notice = sample("ssn");
        Map<String, Object> facts = new HashMap<>(facts(notice));
        facts.put("dataTypes", List.of("NAME", "SOCIAL_SECURITY_NUMBER"));
        notice.put("facts", facts);
        JsonPath problem = given().contentType(ContentType.JSON).body(notice).post("/v1/notices").then().statusCode(400)
                .extract().jsonPath();
        assertThat(String.join("\n", problem.getList("errors.message", String.class))).contains("Equifax", "Experian",
                "TransUnion", "identity-theft prevention offer of at least 12 months");
    }

    @Test
    void aHipaaNoticeMustShowTheDatesOfTheBreachAndItsDiscoveryAndRunsASixtyDayClock() throws Exception {
        Map<String, Object> notice = sample("hipaa");
        notice.put("jurisdictions", List.of("HIPAA"));
        Map<String, Object> facts = new HashMap<>(facts(notice));
        facts.put("dataTypes", List.of("NAME", "HEALTH"));
        notice.put("facts", facts);
        long id = given().contentType(ContentType.JSON).body(notice).post("/v1/notices").then().statusCode(201)
                .extract().jsonPath().getLong("id");
        JsonPath clock = given().get("/v1/notices/{id}/progress", id).then().statusCode(200).extract().jsonPath();
        assertThat(clock.getList("clock.deadlines.jurisdiction")).containsExactly("HIPAA");
        assertThat(clock.getString("clock.deadlines[0].due")).as("60 days after discovery").startsWith("2027-01-19T09:30");

        Map<String, Object> undated = sample("hipaa-undated");
        undated.put("jurisdictions", List.of("HIPAA"));
        undated.put("facts", facts);
        Map<String, Object> sections = (Map<String, Object>) template(undated, "en").get("sections");
        sections.put("whatHappened", ((String) sections.get("whatHappened")).replace("On {breach.discovered} we", "We"));
        JsonPath problem = given().contentType(ContentType.JSON).body(undated).post("/v1/notices").then()
                .statusCode(400).body("errors.field", hasItem("templates.en")).extract().jsonPath();
        assertThat(String.join("\n", problem.getList("errors.message", String.class)))
                .contains("HIPAA 164.404(c)(1)(A) requires the date of discovery");
    }

    @Test
    void aVagueWhatYouCanDoIsFlaggedButNotRefused() throws Exception {
        Map<String, Object> notice = sample("vague");
        ((Map<String, Object>) template(notice, "en").get("sections")).put("whatYouCanDo",
                "We encourage you to remain vigilant.");
        given().contentType(ContentType.JSON).body(notice).post("/v1/notices").then().statusCode(201)
                .body("warnings", hasItem(containsString("templates.en.sections.whatYouCanDo: asks the reader to stay vigilant")));
    }

    @Test
    void theEvidenceOfANoticeVerifiesMatchesEveryDeliveryAndNamesWhoWasNotReached() throws Exception {
        Fixtures.putCustomer("ev-a", Map.of("email", "ev-a@example.com", "country", "FR", "tags", List.of("ev"),
                "devices", List.of(Map.of("platform", "FCM", "appId", "com.example.app", "token", "ev-a-token"))));
        Fixtures.putCustomer("ev-b", Map.of("country", "US", "region", "CA", "tags", List.of("ev"),
                "devices", List.of(Map.of("platform", "FCM", "appId", "com.example.app", "token", "ev-b-token"))));
        Fixtures.putCustomer("ev-c", Map.of("country", "US", "region", "CA", "tags", List.of("ev")));
        Fixtures.putCustomer("ev-d", Map.of("email", "ev-d@example.com", "country", "DE", "tags", List.of("ev")));
        Fixtures.putCustomer("ev-e", Map.of("country", "DE", "tags", List.of("ev")));
        Map<String, Object> notice = sample("evidence");
        notice.put("audience", Map.of("criteria", Map.of("tag", "ev")));
        long id = given().contentType(ContentType.JSON).body(notice).post("/v1/notices").then().statusCode(201)
                .extract().jsonPath().getLong("id");
        given().post("/v1/notices/{id}/dispatch", id).then().statusCode(202);
        Fixtures.awaitCompleted(id, Duration.ofSeconds(30));

        JsonPath progress = given().get("/v1/notices/{id}/progress", id).then().statusCode(200).extract().jsonPath();
        assertThat(progress.getString("clock.discoveredAt")).startsWith("2026-11-20T09:30");
        assertThat(progress.getList("clock.deadlines.jurisdiction")).containsExactlyInAnyOrder("GDPR", "CALIFORNIA");
        assertThat(progress.getString("clock.deadlines.find { it.jurisdiction == 'GDPR' }.due")).startsWith("2026-11-23T09:30");
        assertThat(progress.getString("clock.firstDeliveryAt")).isNotNull();
        assertThat(progress.getInt("substituteNotice.unreached")).isEqualTo(2);
        assertThat(progress.getInt("substituteNotice.byJurisdiction.find { it.jurisdiction == 'CALIFORNIA' }.unreached"))
                .isEqualTo(1);
        assertThat(progress.getBoolean("substituteNotice.byJurisdiction.find { it.jurisdiction == 'CALIFORNIA' }"
                + ".substituteNoticeRequired")).isTrue();
        assertThat(given().get("/v1/notices/{id}/unreached", id).then().statusCode(200).extract().jsonPath()
                .getList("items.customerId")).containsExactly("ev-c", "ev-e");
        // Relays quote the address, over several lines; ev-e's reason for not being reached quotes its error.
        try (Connection c = dataSource.getConnection()) {
            Jdbc.update(c, "UPDATE delivery SET provider_message_id = ?, last_error = ? WHERE notice_id = ?"
                    + " AND customer_id = 'ev-d' AND channel = 'EMAIL'", "250-<ev-d@example.com> ok\r\n250 2.0.0 queued",
                    "452 4.2.2 <ev-d@example.com>: over quota, retried", id);
            Jdbc.update(c, "UPDATE delivery SET last_error = ? WHERE notice_id = ? AND customer_id = 'ev-e'"
                    + " AND channel = 'EMAIL'", "550 5.1.1 <ev-e@example.com>: Recipient address rejected", id);
        }

        String operator = "Bearer " + Tokens.of("regulator-liaison", "operator");
        String export = given().header("Authorization", operator).get("/v1/notices/{id}/evidence", id).then()
                .statusCode(200).extract().asString();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : export.split("\n")) {
            lines.add(JSON.readTree(line));
        }
        assertThat(lines.get(0).path("evidence").asText()).isEqualTo("herald-evidence/2");
        assertThat(lines.get(0).path("noticeId").asLong()).isEqualTo(id);
        assertThat(lines.get(0).path("notice").path("id").asLong()).isEqualTo(id);
        List<JsonNode> deliveries = lines.stream().filter(l -> "delivery".equals(l.path("record").asText())).toList();
        assertThat(deliveries).as("five emails, three push fallbacks").hasSize(8);
        List<JsonNode> unreached = lines.stream().filter(l -> "unreached".equals(l.path("record").asText())).toList();
        assertThat(unreached).map(l -> l.path("customer").asText()).containsExactly("ev-c", "ev-e");
        assertThat(lines.get(lines.size() - 2).toString())
                .isEqualTo("{\"record\":\"summary\",\"deliveries\":8,\"unreached\":2,\"lines\":" + (lines.size() - 1) + "}");
        assertThat(deliveries).filteredOn(d -> "ev-a".equals(d.path("customer").asText()) && "EMAIL".equals(d.path("channel").asText()))
                .singleElement().satisfies(d -> assertThat(d.path("destination").asText()).isEqualTo("e***@example.com"));
        // Without support-pii no address in any field, the providers' answers and errors included.
        Pattern address = Pattern.compile(PersonalDataFilter.EMAIL_ADDRESS);
        for (JsonNode record : Stream.concat(deliveries.stream(), unreached.stream()).toList()) {
            for (String field : List.of("destination", "answer", "error", "why")) {
                // A masked destination ("e***@example.com") keeps the domain only.
                assertThat(record.path(field).asText().replaceAll("^.\\*\\*\\*@", "")).as(field + " of " + record)
                        .doesNotContainPattern(address);
            }
        }
        assertThat(deliveries).filteredOn(d -> "ev-d".equals(d.path("customer").asText()) && "EMAIL".equals(d.path("channel").asText()))
                .singleElement().satisfies(d -> {
                    assertThat(d.path("answer").asText()).isEqualTo("250-<<email address>> ok\r\n250 2.0.0 queued");
                    assertThat(d.path("error").asText()).isEqualTo("452 4.2.2 <<email address>>: over quota, retried");
                });
        assertThat(unreached.get(1).path("why").asText()).contains("550 5.1.1 <<email address>>: Recipient address rejected");
        assertThat(verify(export)).satisfies(r -> {
            assertThat(r.valid()).as(r.message()).isTrue();
            assertThat(r.noticeId()).isEqualTo(id);
        });

        int row = export.indexOf("\"customer\":\"ev-d\"");
        String tampered = export.substring(0, row + 13) + "X" + export.substring(row + 14);
        assertThat(verify(tampered)).satisfies(r -> {
            assertThat(r.valid()).isFalse();
            assertThat(r.message()).contains("do not hash to the trailer's digest");
        });
        String[] split = export.split("\n");
        String reordered = String.join("\n", split[0], split[2], split[1]) + "\n"
                + String.join("\n", java.util.Arrays.copyOfRange(split, 3, split.length)) + "\n";
        assertThat(verify(reordered).valid()).isFalse();

        String csv = given().queryParam("format", "csv").get("/v1/notices/{id}/evidence", id).then().statusCode(200)
                .contentType(containsString("text/csv")).extract().asString();
        String[] rows = csv.split("\n");
        assertThat(rows[0]).startsWith("#herald-evidence/2 notice=" + id + " asOf=");
        assertThat(rows[1]).startsWith("record,delivery,customer");
        assertThat(rows).as("header, column names, 8 deliveries, 2 unreached, summary, trailer").hasSize(14);
        assertThat(csv).contains("250-<ev-d@example.com> ok\\r\\n250 2.0.0 queued");
        assertThat(rows[12]).isEqualTo("#summary deliveries=8 unreached=2 lines=13");
        assertThat(verify(csv)).satisfies(r -> {
            assertThat(r.valid()).as(r.message()).isTrue();
            assertThat(r.noticeId()).isEqualTo(id);
        });
        assertThat(verify(csv, id + 1).message()).isEqualTo("the export is notice " + id + "'s, not notice " + (id + 1) + "'s");
        String operatorCsv = given().header("Authorization", operator).queryParam("format", "csv")
                .get("/v1/notices/{id}/evidence", id).then().statusCode(200).extract().asString();
        assertThat(operatorCsv.replaceAll(",\"?.\\*\\*\\*@", ",")).doesNotContainPattern(address).contains("<<email address>>");
        assertThat(verify(operatorCsv, id).valid()).isTrue();

        int sent = 0;
        for (JsonNode delivery : deliveries) {
            if (delivery.path("contentSha256").isTextual()) {
                sent++;
                JsonPath content = given().get("/v1/notices/{id}/deliveries/{d}/content", id, delivery.path("delivery").asLong())
                        .then().statusCode(200).extract().jsonPath();
                assertThat(content.getString("renderedSha256")).as("delivery " + delivery)
                        .isEqualTo(delivery.path("contentSha256").asText());
                assertThat(content.getBoolean("matches")).isTrue();
            }
        }
        assertThat(sent).as("emails to ev-a and ev-d, the push fallback to ev-b").isEqualTo(3);
    }

    @Test
    void retentionArchivesTheSignedEvidenceThenRemovesTheDeliveries() throws Exception {
        Fixtures.importCustomers("retained", 5);
        long id = Fixtures.dispatchToTag("retained");
        Fixtures.awaitCompleted(id, Duration.ofSeconds(30));

        Path archive = retention.purge(id);

        assertThat(verify(Files.readString(archive)).valid()).isTrue();
        assertThat(Files.readString(archive)).contains("retained-0@retained.example");
        given().get("/v1/notices/{id}/deliveries", id).then().statusCode(200).body("items.size()", equalTo(0));
        given().get("/v1/notices/{id}/evidence", id).then().statusCode(200)
                .body(equalTo(Files.readString(archive)));
        given().header("Authorization", "Bearer " + Tokens.of("op", "operator")).get("/v1/notices/{id}/evidence", id)
                .then().statusCode(403);
        given().get("/v1/notices/{id}", id).then().body("progress.total", equalTo(5));
    }

    private static EvidenceVerifier.Result verify(String export) throws Exception {
        return EvidenceVerifier.verify(new ByteArrayInputStream(export.getBytes(StandardCharsets.UTF_8)), publicKey());
    }

    private static EvidenceVerifier.Result verify(String export, long noticeId) throws Exception {
        return EvidenceVerifier.verify(new ByteArrayInputStream(export.getBytes(StandardCharsets.UTF_8)), publicKey(),
                noticeId);
    }

    private static PublicKey publicKey() throws Exception {
        return EvidenceVerifier.publicKey(Files.readString(Path.of("src/test/resources/evidence/public-key.pem")));
    }

    /** The shipped sample notice (GDPR and California), renamed and sent by email only. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> sample(String name) throws Exception {
        Map<String, Object> notice = JSON.readValue(Path.of("samples/notice.json").toFile(), Map.class);
        notice.put("name", name);
        return notice;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> template(Map<String, Object> notice, String locale) {
        return (Map<String, Object>) ((Map<String, Object>) notice.get("templates")).get(locale);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> facts(Map<String, Object> notice) {
        return (Map<String, Object>) notice.get("facts");
    }
}
