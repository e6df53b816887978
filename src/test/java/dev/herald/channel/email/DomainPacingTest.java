package dev.herald.channel.email;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.herald.support.DefaultToken;
import dev.herald.support.DnsServer;
import dev.herald.support.Fixtures;
import dev.herald.support.PacingSmtpServer;
import dev.herald.support.PushStandIns;
import dev.herald.support.Tokens;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * A receiving provider that defers above 50 messages a second ("421 4.7.28 ... unusual rate") is paced,
 * not given up on: no delivery fails and no attempt is counted for the sender's pace, the slow domain
 * gets about its 50 a second, and the domains that accept everything finish as fast as without it.
 */
@QuarkusTest
@ExtendWith(DefaultToken.class)
@TestProfile(DomainPacingTest.RateLimitedProvider.class)
class DomainPacingTest {

    private static final int SLOW = 2_000;
    /** At a domain that defers after the message's data above 5 a second: 1 % of the mix, about 15 a second unpaced. */
    private static final int LATE = 200;
    private static final int FAST = 17_800;
    private static final List<String> FAST_DOMAINS = List.of("fast-a.example", "fast-b.example", "fast-c.example");

    public static class RateLimitedProvider implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(PacingSmtpServer.class, Map.of("limits", "slow.example=50,late.example=5@data")),
                    new TestResourceEntry(PushStandIns.class), new TestResourceEntry(DnsServer.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            // Five attempts are spent within seconds (retry delays of 1 to 2 s): a deferral counted as an
            // attempt would fail deliveries here.
            return Map.of("herald.retry.max-attempts", "5", "herald.approval.audience-threshold", "1000000",
                    "herald.email.pace.mx-lookup", "true");
        }
    }

    @Inject
    AgroalDataSource dataSource;

    @Inject
    DomainPaces paces;

    @Inject
    DomainGroups groups;

    @Test
    void aDeferringDomainIsPacedAndNobodyIsGivenUpOn() throws Exception {
        importCustomers();
        long started = System.currentTimeMillis();
        long baseline = Fixtures.dispatchToTag("pacing-fast");
        Fixtures.awaitCompleted(baseline, Duration.ofSeconds(120));
        long fastAlone = lastAccepted(baseline, FAST_DOMAINS) - started;

        started = System.currentTimeMillis();
        long notice = Fixtures.dispatchToTag("pacing");
        Set<String> deferringSeen = ConcurrentHashMap.newKeySet();
        Awaitility.await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() -> {
            JsonPath progress = given().get("/v1/notices/{id}/progress", notice).then().extract().jsonPath();
            deferringSeen.addAll(progress.getList("deferringDomains.message", String.class));
            return "COMPLETED".equals(progress.getString("status"));
        });
        List<PacingSmtpServer.Accepted> accepted = PacingSmtpServer.accepted().stream()
                .filter(a -> a.notice() == notice).toList();

        // Completed only once every slow-domain customer was told, each exactly once, none given up on.
        assertThat(accepted.stream().filter(a -> a.domain().equals("slow.example")).count()).isEqualTo(SLOW);
        assertThat(accepted.stream().filter(a -> a.domain().equals("late.example")).count()).isEqualTo(LATE);
        assertThat(accepted).hasSize(SLOW + LATE + FAST);
        assertThat(accepted.stream().map(PacingSmtpServer.Accepted::recipient).distinct().count())
                .isEqualTo(SLOW + LATE + FAST);
        JsonPath progress = given().get("/v1/notices/{id}/progress", notice).then().extract().jsonPath();
        assertThat(progress.getMap("byStatus")).containsExactly(Map.entry("SENT", SLOW + LATE + FAST));
        assertThat(PacingSmtpServer.deferrals()).isPositive();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT max(attempts), count(*) FILTER (WHERE waiting_for IS NOT NULL),"
                        + " (SELECT count(*) FROM delivery_event e WHERE e.notice_id = " + notice + " AND e.kind = 'DEFERRED'),"
                        + " (SELECT count(*) FROM delivery_event e WHERE e.notice_id = " + notice
                        + " AND e.kind IN ('RETRY_SCHEDULED', 'FAILED'))"
                        + " FROM delivery WHERE notice_id = " + notice)) {
            r.next();
            assertThat(r.getInt(1)).as("attempts: none counted for the sender's pace").isEqualTo(1);
            assertThat(r.getLong(2)).as("deliveries still naming a group to wait for").isZero();
            assertThat(r.getLong(3)).as("deferrals on the timelines").isPositive();
            assertThat(r.getLong(4)).as("recipient retries and failures").isZero();
        }
        assertThat(deferringSeen).anyMatch(m -> m.startsWith("slow.example deferring: pace "))
                .anyMatch(m -> m.startsWith("late.example deferring: pace "));

        // The slow domain at about its 50 a second once Herald has learnt it (the first 10 s), to its end.
        List<Long> slow = accepted.stream().filter(a -> a.domain().equals("slow.example"))
                .map(PacingSmtpServer.Accepted::atMillis).sorted().toList();
        long from = slow.get(0) + 10_000;
        long to = slow.get(slow.size() - 1);
        double steady = slow.stream().filter(t -> t >= from).count() / ((to - from) / 1000.0);
        System.out.printf("DomainPacingTest: fast domains alone %d ms, with the slow one %d ms; slow.example %.1f/s in"
                + " steady state, done after %d ms; %d deferrals%n", fastAlone, lastAccepted(notice, FAST_DOMAINS) - started,
                steady, to - started, PacingSmtpServer.deferrals());
        assertThat(steady).as("slow.example's messages per second in steady state").isBetween(37.5, 62.5);

        // The domains that accept everything are not held back by the slow one.
        long fastWithSlow = lastAccepted(notice, FAST_DOMAINS) - started;
        assertThat(fastWithSlow).as("ms to the last fast-domain message, alone %d ms", fastAlone)
                .isLessThanOrEqualTo(fastAlone * 3 / 2 + 2_000);
        assertThat(slow.get(slow.size() - 1) - started).as("the slow domain takes its time")
                .isGreaterThan(fastWithSlow + 10_000);
    }

    @Test
    void repliesThatSayTheSenderGoesTooFast() {
        assertThat(paces.saysTooFast(421, "421-4.7.28 [192.0.2.1 15] Our system has detected an unusual rate of"
                + " unsolicited mail originating from your IP address. 421 4.7.28 To protect our users")).isTrue();
        assertThat(paces.saysTooFast(421, "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to"
                + " unexpected volume or user complaints - 4.16.55.1")).isTrue();
        assertThat(paces.saysTooFast(451, "451 4.7.650 The mail server [192.0.2.1] has been temporarily rate limited"
                + " due to IP reputation.")).isTrue();
        assertThat(paces.saysTooFast(421, "421 RP-001 (BAY004-MC1F31) Unfortunately, some messages from 192.0.2.1"
                + " weren't sent. Please try again.")).isTrue();
        // The recipient's own problems, and set-up problems that slowing down does not mend.
        assertThat(paces.saysTooFast(450, "450 4.2.1 The user you are trying to contact is receiving mail too"
                + " quickly. Please resend your message at a later time.")).isFalse();
        assertThat(paces.saysTooFast(452, "452 4.2.2 The recipient's inbox is out of storage space.")).isFalse();
        assertThat(paces.saysTooFast(451, "451 4.7.1 greylisting, please try again later")).isFalse();
        assertThat(paces.saysTooFast(421, "421 4.7.26 This mail has been rate limited because it is unauthenticated."))
                .isFalse();
        assertThat(paces.saysTooFast(550, "550 5.7.28 There is an unusual rate of unsolicited mail")).isFalse();
        assertThat(paces.saysTooFast(421, "421 4.7.27 This mail has been rate limited because it fails SPF; too many"
                + " messages")).isFalse();
        assertThat(paces.saysTooFast(451, "451 4.7.1 Too many messages from your IP; throttled")).isTrue();
        assertThat(paces.saysTooFast(451, "451 4.3.0 Too many messages for this mailbox")).isFalse();
    }

    @Test
    void providersShareAGroup() {
        assertThat(groups.of("jane@gmail.com")).isEqualTo("gmail.com");
        assertThat(groups.of("jane@GoogleMail.com")).isEqualTo("gmail.com");
        assertThat(groups.of("jane@hotmail.co.uk")).isEqualTo("outlook.com");
        assertThat(groups.of("jane@live.fr")).isEqualTo("outlook.com");
        assertThat(groups.of("jane@aol.com")).isEqualTo("yahoo.com");
        assertThat(groups.of("jane@hotmail.example.com")).isEqualTo("hotmail.example.com");
        assertThat(groups.of("jane@mail.example.org")).isEqualTo("mail.example.org");
    }

    @Test
    void companyDomainsWhoseMailAProviderHostsShareItsGroup() {
        DnsServer.dns().mx("company.example", 10, "aspmx.l.google.com").mx("company.example", 20, "alt1.aspmx.l.google.com")
                .mx("tenant.example", 0, "tenant-example.mail.protection.outlook.com")
                .mx("own-mail.example", 10, "mx.own-mail.example");
        try {
            // Never waits for DNS: the domain is a group of its own until the answer is in.
            groups.of("jane@company.example");
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> groups.of("jane@company.example").equals("gmail.com"));
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> groups.of("joe@tenant.example").equals("outlook.com"));
            groups.of("ann@own-mail.example");
            groups.of("bob@no-such-domain.example");
            Awaitility.await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(groups.of("ann@own-mail.example")).isEqualTo("own-mail.example");
                assertThat(groups.of("bob@no-such-domain.example")).isEqualTo("no-such-domain.example");
            });
        } finally {
            DnsServer.dns().remove("company.example").remove("tenant.example").remove("own-mail.example");
        }
    }

    @Test
    void anOperatorLimitsADomainGroup() {
        given().contentType(ContentType.JSON).body(Map.of("messagesPerSecond", 120))
                .put("/v1/limits/email/domains/{group}", "Limited.Example")
                .then().statusCode(200).body("group", equalTo("limited.example")).body("limitPerSecond", equalTo(120.0f))
                .body("pacePerSecond", equalTo(120.0f)).body("deferring", equalTo(false));
        assertThat(given().get("/v1/limits/email/domains").then().statusCode(200).extract().jsonPath()
                .getList("group", String.class)).contains("gmail.com", "limited.example", "outlook.com", "yahoo.com");
        given().delete("/v1/limits/email/domains/{group}", "limited.example")
                .then().statusCode(200).body("limitPerSecond", equalTo(null)).body("pacePerSecond", equalTo(null));

        given().contentType(ContentType.JSON).body(Map.of("messagesPerSecond", 10))
                .put("/v1/limits/email/domains/{group}", "not a domain")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("group"));
        given().contentType(ContentType.JSON).body(Map.of("messagesPerSecond", -1))
                .put("/v1/limits/email/domains/{group}", "gmail.com")
                .then().statusCode(400).contentType("application/problem+json");
        given().contentType(ContentType.JSON).body("{}")
                .put("/v1/limits/email/domains/{group}", "gmail.com")
                .then().statusCode(400).contentType("application/problem+json");
        given().get("/v1/limits/email/domains/{group}", "never-seen.example").then().statusCode(404);
        given().delete("/v1/limits/email/domains/{group}", "never-seen.example").then().statusCode(404);
        given().header("Authorization", "Bearer " + Tokens.of("sam", "support")).contentType(ContentType.JSON)
                .body(Map.of("messagesPerSecond", 10)).put("/v1/limits/email/domains/{group}", "gmail.com")
                .then().statusCode(403);
    }

    /** The slow and late domains' customers and 17,800 at the fast ones, tagged "pacing"; the fast ones also "pacing-fast". */
    private static void importCustomers() {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < SLOW + LATE + FAST; i++) {
            String domain = i < SLOW ? "slow.example" : i < SLOW + LATE ? "late.example"
                    : FAST_DOMAINS.get(i % FAST_DOMAINS.size());
            String tags = i < SLOW + LATE ? "[\"pacing\"]" : "[\"pacing\",\"pacing-fast\"]";
            body.append("{\"id\":\"pacing-").append(i).append("\",\"email\":\"c").append(i).append('@').append(domain)
                    .append("\",\"displayName\":\"Customer ").append(i).append("\",\"locale\":\"en\",\"tags\":")
                    .append(tags).append("}\n");
        }
        given().contentType("application/x-ndjson").body(body.toString().getBytes(StandardCharsets.UTF_8))
                .post("/v1/customers/import")
                .then().statusCode(200).body("received", equalTo(SLOW + LATE + FAST)).body("rejected", equalTo(0));
    }

    private static long lastAccepted(long notice, List<String> domains) {
        return PacingSmtpServer.accepted().stream().filter(a -> a.notice() == notice && domains.contains(a.domain()))
                .mapToLong(PacingSmtpServer.Accepted::atMillis).max().orElseThrow();
    }
}
