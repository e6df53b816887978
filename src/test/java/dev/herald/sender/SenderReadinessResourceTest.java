package dev.herald.sender;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.herald.standin.DnsStandIn;
import dev.herald.support.DkimVerification;
import dev.herald.support.DnsServer;
import dev.herald.support.Fixtures;
import dev.herald.support.HeraldTest;
import dev.herald.support.Tokens;
import io.restassured.path.json.JsonPath;

/**
 * GET /v1/senders/readiness against the DNS stand-in, for the test profile's From domain (herald.example),
 * which Herald signs as with the test key under the selector herald-test; and the warnings of a dispatch.
 */
@HeraldTest
class SenderReadinessResourceTest {

    private static final String DOMAIN = "herald.example";
    private final DnsStandIn dns = DnsServer.dns();

    @BeforeEach
    void publishAsProvidersAsk() throws Exception {
        dns.clear();
        dns.txt(DOMAIN, "v=spf1 ip4:192.0.2.25 -all")
                .txt(DkimVerification.SELECTOR + "._domainkey." + DOMAIN, "v=DKIM1; k=rsa; p=" + DkimVerification.publicKey())
                .txt("_dmarc." + DOMAIN, "v=DMARC1; p=none; rua=mailto:dmarc@herald.example")
                .mx(DOMAIN, 10, "mx.herald.example");
    }

    @AfterEach
    void emptyTheZone() {
        dns.clear();
    }

    @Test
    void anOperatorGetsEveryCheckWithWhatToPublish() throws Exception {
        given().header("Authorization", "Bearer " + Tokens.of("ops", "operator"))
                .get("/v1/senders/readiness")
                .then().statusCode(200)
                .body("domain", equalTo(DOMAIN))
                .body("ready", equalTo(true))
                .body("checkedAt", notNullValue())
                .body("checks.name", contains("SPF", "DKIM", "DMARC", "DKIM_ALIGNMENT", "MX"))
                .body("checks.find { it.name == 'SPF' }.status", equalTo("OK"))
                .body("checks.find { it.name == 'DKIM' }.status", equalTo("OK"))
                .body("checks.find { it.name == 'DKIM' }.publish", equalTo(null))
                .body("checks.find { it.name == 'DMARC' }.status", equalTo("WARNING"))
                .body("checks.find { it.name == 'DMARC' }.publish.name", equalTo("_dmarc.herald.example"))
                .body("checks.find { it.name == 'DMARC' }.publish.type", equalTo("TXT"))
                .body("checks.find { it.name == 'DMARC' }.publish.value", startsWith("v=DMARC1; p=quarantine"));

        dns.remove(DkimVerification.SELECTOR + "._domainkey." + DOMAIN);
        JsonPath missing = given().get("/v1/senders/readiness").then().statusCode(200).extract().jsonPath();
        assertThat(missing.getBoolean("ready")).isFalse();
        Map<String, Object> dkim = missing.getMap("checks.find { it.name == 'DKIM' }");
        assertThat(dkim).containsEntry("status", "MISSING");
        assertThat(missing.getString("checks.find { it.name == 'DKIM' }.publish.name")).isEqualTo("herald-test._domainkey.herald.example");
        assertThat(missing.getString("checks.find { it.name == 'DKIM' }.publish.value"))
                .isEqualTo("v=DKIM1; k=rsa; p=" + DkimVerification.publicKey());
    }

    @Test
    void aDnsFailureIsReportedAsSuch() {
        dns.servfail("_dmarc." + DOMAIN);

        given().get("/v1/senders/readiness").then().statusCode(200)
                .body("ready", equalTo(false))
                .body("checks.find { it.name == 'DMARC' }.status", equalTo("DNS_FAILURE"))
                .body("checks.find { it.name == 'DMARC' }.detail", startsWith("TXT lookup of _dmarc.herald.example failed: SERVFAIL"));
    }

    @Test
    void onlyOperatorsMayAsk() {
        for (String role : List.of("notifier", "support", "support-pii")) {
            given().header("Authorization", "Bearer " + Tokens.of("not-ops", role))
                    .get("/v1/senders/readiness")
                    .then().statusCode(403).contentType(startsWith("application/problem+json"));
        }
        given().header("Authorization", "").get("/v1/senders/readiness").then().statusCode(401);
    }

    @Test
    void aDispatchOfEmailCarriesTheChecksThatAreNotOk() {
        dns.remove("_dmarc." + DOMAIN);
        given().get("/v1/senders/readiness").then().statusCode(200); // what dispatch reuses from now on
        Fixtures.importCustomers("readiness", 2);
        long notice = Fixtures.createNotice(Fixtures.notice("readiness", Map.of("criteria", Map.of("tag", "readiness"))));

        given().post("/v1/notices/{id}/dispatch", notice).then().statusCode(202)
                .body("warnings", hasItem(startsWith("sender readiness: DMARC MISSING: no DMARC record at _dmarc.herald.example")));

        given().queryParam("notice", notice).get("/v1/audit").then().statusCode(200)
                .body("items.find { it.action == 'NOTICE_DISPATCHED' }.detail",
                        equalTo("audience of 2; sender readiness: DMARC MISSING"));
        // Warned, not held back: the notice is sent.
        Fixtures.awaitCompleted(notice, java.time.Duration.ofSeconds(30));
    }
}
