package dev.herald.sender;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.herald.ops.Dns;
import dev.herald.ops.DnsConfig;
import dev.herald.sender.Readiness.Check;
import dev.herald.sender.Readiness.Status;
import dev.herald.standin.DnsStandIn;
import dev.herald.support.DkimVerification;

/** The readiness checks against the DNS stand-in, through dnsjava as Herald asks it: no Quarkus. */
class SenderChecksTest {

    private static final String DOMAIN = "example.com";
    private static final String SELECTOR = "herald-test";
    private static DnsStandIn dns;
    private static String key;

    @BeforeAll
    static void start() throws Exception {
        dns = new DnsStandIn();
        key = DkimVerification.publicKey();
    }

    @AfterAll
    static void stop() throws Exception {
        dns.close();
    }

    /** A domain set up as the providers ask, which each test then breaks in one way. */
    @BeforeEach
    void wellSetUp() {
        dns.clear();
        dns.txt(DOMAIN, "google-site-verification=abc", "v=spf1 include:amazonses.com ~all")
                .txt(SELECTOR + "._domainkey." + DOMAIN, "v=DKIM1; k=rsa; p=" + key)
                .txt("_dmarc." + DOMAIN, "v=DMARC1; p=reject; rua=mailto:dmarc@example.com")
                .mx(DOMAIN, 10, "mx1.example.com");
    }

    @Test
    void aDomainSetUpAsProvidersAskIsReady() {
        Readiness readiness = readiness(heraldSigns(DOMAIN)).check();

        assertThat(readiness.ready()).isTrue();
        assertThat(readiness.domain()).isEqualTo(DOMAIN);
        assertThat(readiness.checks()).extracting(Check::name).containsExactly("SPF", "DKIM", "DMARC", "DKIM_ALIGNMENT", "MX");
        assertThat(readiness.checks()).allSatisfy(c -> {
            assertThat(c.status()).as(c.detail()).isEqualTo(Status.OK);
            assertThat(c.publish()).isNull();
        });
        assertThat(check(readiness, "SPF").detail()).isEqualTo("v=spf1 include:amazonses.com ~all");
        assertThat(check(readiness, "DMARC").detail()).startsWith("p=reject, adkim=r, aspf=r at _dmarc.example.com");
        assertThat(check(readiness, "MX").detail()).contains("10 mx1.example.com.");
    }

    @Test
    void aMissingSpfRecordSaysWhatToPublish() {
        dns.remove(DOMAIN).txt(DOMAIN, "google-site-verification=abc").mx(DOMAIN, 10, "mx1.example.com");

        Readiness readiness = readiness(heraldSigns(DOMAIN)).check();

        Check spf = check(readiness, "SPF");
        assertThat(spf.status()).isEqualTo(Status.MISSING);
        assertThat(spf.publish().name()).isEqualTo(DOMAIN);
        assertThat(spf.publish().type()).isEqualTo("TXT");
        assertThat(spf.publish().value()).startsWith("v=spf1 include:").endsWith("~all");
        assertThat(readiness.ready()).isFalse();
    }

    @Test
    void twoSpfRecordsAreAMismatchAndOneMergedRecordIsProposed() {
        dns.txt(DOMAIN, "v=spf1 ip4:192.0.2.10 -all");

        Check spf = check(readiness(heraldSigns(DOMAIN)).check(), "SPF");

        assertThat(spf.status()).isEqualTo(Status.MISMATCH);
        assertThat(spf.detail()).contains("2 SPF records", "permanent error");
        assertThat(spf.publish().value()).isEqualTo("v=spf1 include:amazonses.com ip4:192.0.2.10 ~all");
    }

    @Test
    void heraldsKeyPublishedUnderTheSelectorMatchesAndAnotherKeyDoesNot() throws Exception {
        assertThat(check(readiness(heraldSigns(DOMAIN)).check(), "DKIM").status()).isEqualTo(Status.OK);

        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String other = Base64.getEncoder().encodeToString(generator.generateKeyPair().getPublic().getEncoded());
        dns.remove(SELECTOR + "._domainkey." + DOMAIN).txt(SELECTOR + "._domainkey." + DOMAIN, "v=DKIM1; k=rsa; p=" + other);
        Readiness readiness = readiness(heraldSigns(DOMAIN)).check();

        Check dkim = check(readiness, "DKIM");
        assertThat(dkim.status()).isEqualTo(Status.MISMATCH);
        assertThat(dkim.detail()).contains("not the one herald.email.dkim.private-key holds");
        assertThat(dkim.publish().name()).isEqualTo("herald-test._domainkey.example.com");
        assertThat(dkim.publish().value()).isEqualTo("v=DKIM1; k=rsa; p=" + key);
        assertThat(readiness.ready()).isFalse();

        dns.remove(SELECTOR + "._domainkey." + DOMAIN);
        assertThat(check(readiness(heraldSigns(DOMAIN)).check(), "DKIM").status()).isEqualTo(Status.MISSING);
        dns.txt(SELECTOR + "._domainkey." + DOMAIN, "v=DKIM1; k=rsa; p=");
        assertThat(check(readiness(heraldSigns(DOMAIN)).check(), "DKIM").detail()).contains("revoked");
    }

    @Test
    void withoutHeraldsKeyTheRelayMustSign() {
        Readiness unknownSelector = readiness(new RecordChecks.Signer(DOMAIN, Optional.empty(), Optional.empty())).check();
        assertThat(check(unknownSelector, "DKIM").status()).isEqualTo(Status.WARNING);
        assertThat(check(unknownSelector, "DKIM").detail()).contains("the relay must sign", "herald.email.dkim.selector");
        assertThat(check(unknownSelector, "DKIM_ALIGNMENT").status()).isEqualTo(Status.WARNING);
        assertThat(unknownSelector.ready()).isTrue();

        RecordChecks.Signer relay = new RecordChecks.Signer(DOMAIN, Optional.of(SELECTOR), Optional.empty());
        assertThat(check(readiness(relay).check(), "DKIM").status()).isEqualTo(Status.OK);
        dns.remove(SELECTOR + "._domainkey." + DOMAIN);
        Check missing = check(readiness(relay).check(), "DKIM");
        assertThat(missing.status()).isEqualTo(Status.MISSING);
        assertThat(missing.publish().name()).isEqualTo("herald-test._domainkey.example.com");
    }

    @Test
    void aMissingDmarcRecordSaysWhatToPublish() {
        dns.remove("_dmarc." + DOMAIN);

        Readiness readiness = readiness(heraldSigns(DOMAIN)).check();

        Check dmarc = check(readiness, "DMARC");
        assertThat(dmarc.status()).isEqualTo(Status.MISSING);
        assertThat(dmarc.publish().name()).isEqualTo("_dmarc.example.com");
        assertThat(dmarc.publish().value()).startsWith("v=DMARC1; p=quarantine");
        assertThat(readiness.ready()).isFalse();
        assertThat(check(readiness, "DKIM_ALIGNMENT").detail()).contains("relaxed is assumed");
    }

    @Test
    void pNoneIsAWarningAndRejectIsOk() {
        dns.remove("_dmarc." + DOMAIN).txt("_dmarc." + DOMAIN, "v=DMARC1; p=none; rua=mailto:dmarc@example.com");

        Readiness readiness = readiness(heraldSigns(DOMAIN)).check();

        Check dmarc = check(readiness, "DMARC");
        assertThat(dmarc.status()).isEqualTo(Status.WARNING);
        assertThat(dmarc.detail()).contains("p=none", "only report");
        assertThat(dmarc.publish().value()).isEqualTo("v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com");
        assertThat(readiness.ready()).as("p=none is what Gmail and Yahoo ask at least").isTrue();

        dns.remove("_dmarc." + DOMAIN).txt("_dmarc." + DOMAIN, "v=DMARC1; p=reject");
        assertThat(check(readiness(heraldSigns(DOMAIN)).check(), "DMARC").status()).isEqualTo(Status.OK);
        dns.txt("_dmarc." + DOMAIN, "v=DMARC1; p=quarantine");
        assertThat(check(readiness(heraldSigns(DOMAIN)).check(), "DMARC").status()).isEqualTo(Status.MISMATCH);
    }

    @Test
    void strictAlignmentRefusesASubdomainSignatureThatRelaxedAccepts() {
        // Herald signs as mail.example.com for From addresses at example.com.
        RecordChecks.Signer subdomain = heraldSigns("mail.example.com");
        dns.txt(SELECTOR + "._domainkey.mail.example.com", "v=DKIM1; k=rsa; p=" + key);
        assertThat(check(readiness(subdomain).check(), "DKIM_ALIGNMENT").status()).isEqualTo(Status.OK);

        dns.remove("_dmarc." + DOMAIN).txt("_dmarc." + DOMAIN, "v=DMARC1; p=reject; adkim=s");
        Readiness strict = readiness(subdomain).check();

        Check alignment = check(strict, "DKIM_ALIGNMENT");
        assertThat(alignment.status()).isEqualTo(Status.MISMATCH);
        assertThat(alignment.detail()).contains("d=mail.example.com", "adkim=s asks for d=example.com exactly",
                "herald.email.dkim.domain=example.com");
        assertThat(alignment.publish().name()).isEqualTo("herald-test._domainkey.example.com");
        assertThat(strict.ready()).isFalse();
        // Another organisational domain never aligns.
        assertThat(check(readiness(heraldSigns("example.net")).check(), "DKIM_ALIGNMENT").status()).isEqualTo(Status.MISMATCH);
    }

    @Test
    void aSubdomainWithoutItsOwnRecordTakesItsOrganisationalDomainsSubdomainPolicy() {
        dns.remove("_dmarc." + DOMAIN).txt("_dmarc." + DOMAIN, "v=DMARC1; p=reject; sp=none");
        dns.txt("news.example.com", "v=spf1 include:amazonses.com ~all").mx("news.example.com", 10, "mx1.example.com");

        Check dmarc = check(readiness("news.example.com", heraldSigns("news.example.com")).check(), "DMARC");

        assertThat(dmarc.status()).isEqualTo(Status.WARNING);
        assertThat(dmarc.detail()).contains("sp=none", "at _dmarc.example.com", "organisational domain's record");
    }

    @Test
    void aDnsTimeoutOrServfailIsADnsFailureNotAMissingRecord() {
        dns.noAnswer("_dmarc." + DOMAIN).servfail(DOMAIN);

        long started = System.nanoTime();
        Readiness readiness = readiness(heraldSigns(DOMAIN)).check();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("lookups run at once, each bounded")
                .isLessThan(Duration.ofSeconds(3));
        Check dmarc = check(readiness, "DMARC");
        assertThat(dmarc.status()).isEqualTo(Status.DNS_FAILURE);
        assertThat(dmarc.detail()).contains("TXT lookup of _dmarc.example.com failed", "no answer from " + dns.address());
        assertThat(dmarc.publish()).isNull();
        assertThat(check(readiness, "SPF").status()).isEqualTo(Status.DNS_FAILURE);
        assertThat(check(readiness, "SPF").detail()).contains("SERVFAIL");
        assertThat(check(readiness, "MX").status()).isEqualTo(Status.DNS_FAILURE);
        assertThat(readiness.ready()).isFalse();
    }

    @Test
    void noMxOrANullMxIsAWarning() {
        dns.remove(DOMAIN).txt(DOMAIN, "v=spf1 include:amazonses.com ~all");
        assertThat(check(readiness(heraldSigns(DOMAIN)).check(), "MX").status()).isEqualTo(Status.WARNING);
        dns.mx(DOMAIN, 0, ".");
        Readiness nullMx = readiness(heraldSigns(DOMAIN)).check();
        assertThat(check(nullMx, "MX").detail()).contains("null MX");
        assertThat(nullMx.ready()).isTrue();
    }

    @Test
    void dispatchReusesARecentAnswerAndSaysWhatIsNotOk() {
        dns.remove("_dmarc." + DOMAIN);
        SenderReadiness readiness = readiness(DOMAIN, heraldSigns(DOMAIN), Duration.ofMinutes(1));

        SenderReadiness.DispatchWarnings first = readiness.atDispatch(java.util.List.of("EMAIL", "PUSH"));
        int queries = dns.queries();
        SenderReadiness.DispatchWarnings again = readiness.atDispatch(java.util.List.of("EMAIL"));

        assertThat(dns.queries()).as("no DNS query within herald.dns.cache").isEqualTo(queries);
        assertThat(again).isEqualTo(first);
        assertThat(first.warnings()).singleElement().asString().startsWith("sender readiness: DMARC MISSING: ")
                .contains("publish _dmarc.example.com TXT \"v=DMARC1; p=quarantine");
        assertThat(first.audit()).isEqualTo("; sender readiness: DMARC MISSING");
        assertThat(readiness.atDispatch(java.util.List.of("PUSH")).warnings()).isEmpty();
        readiness.check();
        assertThat(dns.queries()).as("asked when an operator asks").isGreaterThan(queries);
    }

    private static Check check(Readiness readiness, String name) {
        return readiness.checks().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private static RecordChecks.Signer heraldSigns(String signingDomain) {
        return new RecordChecks.Signer(signingDomain, Optional.of(SELECTOR), Optional.of(key));
    }

    private static SenderReadiness readiness(RecordChecks.Signer signer) {
        return readiness(DOMAIN, signer);
    }

    private static SenderReadiness readiness(String from, RecordChecks.Signer signer) {
        return readiness(from, signer, Duration.ZERO);
    }

    private static SenderReadiness readiness(String from, RecordChecks.Signer signer, Duration cache) {
        Dns resolver = new Dns(new DnsConfig() {
            @Override
            public Optional<String> resolver() {
                return Optional.of(dns.address());
            }

            @Override
            public Duration timeout() {
                return Duration.ofMillis(400);
            }

            @Override
            public Duration cache() {
                return cache;
            }
        });
        return new SenderReadiness(resolver, from, signer, cache);
    }
}
