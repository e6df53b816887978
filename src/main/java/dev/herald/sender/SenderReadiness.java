package dev.herald.sender;

import java.net.IDN;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

import org.jboss.logging.Logger;
import org.xbill.DNS.Type;

import dev.herald.ops.Dns;
import dev.herald.ops.DnsConfig;
import dev.herald.channel.email.DkimSigning;
import dev.herald.channel.email.EmailConfig;
import dev.herald.delivery.DeliveryChannel;
import dev.herald.sender.Readiness.Check;
import dev.herald.sender.Readiness.Status;

/**
 * Whether mail from Herald's From domain will be accepted by the big providers: asks DNS for its SPF
 * record, the DKIM key under the selector, its DMARC policy and its MX, all at once, and checks them
 * against what Herald sends (the From domain, its own key and signing domain).
 */
@ApplicationScoped
public class SenderReadiness {

    private static final Logger LOG = Logger.getLogger(SenderReadiness.class);

    private final Dns dns;
    private final String domain;
    private final RecordChecks.Signer signer;
    private final long cacheNanos;
    private volatile Readiness last;
    private volatile long lastAt;

    @Inject
    SenderReadiness(Dns dns, EmailConfig email, DkimSigning dkim, DnsConfig config) throws AddressException {
        this(dns, domainOf(email.from()), new RecordChecks.Signer(dkim.domain(), dkim.selector(), dkim.publicKeyBase64()),
                config.cache());
    }

    SenderReadiness(Dns dns, String domain, RecordChecks.Signer signer, Duration cache) {
        this.dns = dns;
        this.domain = domain;
        this.signer = signer;
        this.cacheNanos = cache.toNanos();
    }

    /** Asks DNS now (what an operator fixing records wants), and keeps the answer for {@link #recent()}. */
    public Readiness check() {
        String organisation = DmarcChecks.organisational(domain);
        CompletableFuture<Dns.Answer> txt = dns.lookup(domain, Type.TXT);
        CompletableFuture<Dns.Answer> mx = dns.lookup(domain, Type.MX);
        CompletableFuture<Dns.Answer> dmarc = dns.lookup("_dmarc." + domain, Type.TXT);
        // Asked at once rather than after the domain's own answer: it is only read when that has no record.
        CompletableFuture<Dns.Answer> organisationDmarc = organisation.equals(domain) ? CompletableFuture.completedFuture(null)
                : dns.lookup("_dmarc." + organisation, Type.TXT);
        CompletableFuture<Dns.Answer> key = signer.keyName().map(name -> dns.lookup(name, Type.TXT))
                .orElse(CompletableFuture.completedFuture(null));
        DmarcChecks.Policy policy = DmarcChecks.dmarc(domain, dmarc.join(), organisationDmarc.join());
        Readiness readiness = Readiness.of(domain, OffsetDateTime.now(ZoneOffset.UTC), List.of(
                RecordChecks.spf(domain, txt.join()),
                RecordChecks.dkim(signer, key.join()),
                policy.check(),
                DmarcChecks.alignment(domain, signer, policy),
                RecordChecks.mx(domain, mx.join())));
        lastAt = System.nanoTime();
        last = readiness;
        return readiness;
    }

    /** The last answer while it is younger than herald.dns.cache, else a new one: dispatch does not wait on DNS each time. */
    public Readiness recent() {
        Readiness known = last;
        if (known != null && System.nanoTime() - lastAt < cacheNanos) {
            return known;
        }
        return check();
    }

    /** What a dispatch is warned about: a line per check not OK, and the same in brief for the audit log ("" when none). */
    public record DispatchWarnings(List<String> warnings, String audit) {
    }

    /**
     * The checks not OK when the notice sends email, logged. Never throws: a readiness problem is for a person
     * to judge, never a reason to hold a breach notice back.
     */
    public DispatchWarnings atDispatch(List<String> channels) {
        if (!channels.contains(DeliveryChannel.EMAIL.name())) {
            return new DispatchWarnings(List.of(), "");
        }
        List<Check> unmet;
        try {
            unmet = recent().checks().stream().filter(c -> c.status() != Status.OK).toList();
        } catch (RuntimeException e) {
            LOG.warn("The sender readiness check could not be made", e);
            unmet = List.of(new Check("READINESS", Status.DNS_FAILURE, "not checked: " + e.getMessage(), null));
        }
        unmet.forEach(c -> LOG.warn(line(c)));
        return new DispatchWarnings(unmet.stream().map(SenderReadiness::line).toList(), unmet.isEmpty() ? ""
                : "; sender readiness: " + unmet.stream().map(c -> c.name() + " " + c.status()).collect(Collectors.joining(", ")));
    }

    /** A check as one line of a notice's warnings. */
    static String line(Check check) {
        return "sender readiness: " + check.name() + " " + check.status() + ": " + check.detail()
                + (check.publish() == null ? "" : " (publish " + check.publish().name() + " " + check.publish().type()
                        + " \"" + check.publish().value() + "\")") + "; see GET /v1/senders/readiness";
    }

    private static String domainOf(String from) throws AddressException {
        String address = new InternetAddress(from, true).getAddress();
        return IDN.toASCII(address.substring(address.lastIndexOf('@') + 1)).toLowerCase(Locale.ROOT);
    }
}
