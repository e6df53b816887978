package dev.herald.sender;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.herald.ops.Dns;
import dev.herald.sender.Readiness.Check;
import dev.herald.sender.Readiness.Publish;
import dev.herald.sender.Readiness.Status;

/** The DMARC policy of the From domain, and whether Herald's DKIM signature aligns with it: no lookups here. */
final class DmarcChecks {

    static final String DMARC = "DMARC";
    static final String ALIGNMENT = "DKIM_ALIGNMENT";

    /** The check, and the alignment modes it read ("r" relaxed or "s" strict; relaxed when no record was read). */
    record Policy(Check check, String adkim, String aspf, boolean found) {
    }

    private DmarcChecks() {
    }

    /**
     * The domain's own record at {@code _dmarc.<domain>}, else its organisational domain's ({@code organisational}
     * is that lookup, or null when there is none to make), whose sp= then applies (RFC 7489 6.6.3).
     */
    static Policy dmarc(String domain, Dns.Answer own, Dns.Answer organisational) {
        String name = "_dmarc." + domain;
        Publish suggested = new Publish(name, "TXT", "v=DMARC1; p=quarantine; adkim=r; aspf=r");
        if (own.outcome() == Dns.Outcome.FAILED) {
            return new Policy(Check.dnsFailure(DMARC, own), "r", "r", false);
        }
        List<String> records = records(own);
        String at = name;
        boolean inherited = false;
        if (records.isEmpty() && organisational != null) {
            if (organisational.outcome() == Dns.Outcome.FAILED) {
                return new Policy(Check.dnsFailure(DMARC, organisational), "r", "r", false);
            }
            records = records(organisational);
            at = organisational.name();
            inherited = true;
        }
        if (records.isEmpty()) {
            return new Policy(new Check(DMARC, Status.MISSING, "no DMARC record at " + name + (organisational == null ? ""
                    : " nor at " + organisational.name()) + ": Gmail and Yahoo ask bulk senders for one, and receivers apply"
                    + " no policy to mail forged as " + domain + ". Add rua=mailto:… to receive reports; p=none would only"
                    + " report, and a breach notice is what phishers imitate", suggested), "r", "r", false);
        }
        if (records.size() > 1) {
            return new Policy(new Check(DMARC, Status.MISMATCH, records.size() + " DMARC records at " + at + ": receivers"
                    + " ignore them all (RFC 7489 6.6.3). Keep one", suggested), "r", "r", false);
        }
        String record = records.get(0);
        Map<String, String> tags = RecordChecks.tags(record);
        String tag = inherited && tags.containsKey("sp") ? "sp" : "p";
        String policy = tags.getOrDefault(tag, "").toLowerCase(Locale.ROOT);
        String adkim = "s".equalsIgnoreCase(tags.get("adkim")) ? "s" : "r";
        String aspf = "s".equalsIgnoreCase(tags.get("aspf")) ? "s" : "r";
        String summary = tag + "=" + policy + ", adkim=" + adkim + ", aspf=" + aspf + " at " + at
                + (inherited ? " (the organisational domain's record applies to " + domain + ")" : "");
        Check check = switch (policy) {
            case "reject", "quarantine" -> Check.ok(DMARC, summary);
            case "none" -> new Check(DMARC, Status.WARNING, summary + ": receivers only report, and mail forged as " + domain
                    + " still reaches inboxes; a breach notice is exactly what phishers imitate. Once the reports show"
                    + " Herald's mail passing, move to quarantine, then reject",
                    new Publish(at, "TXT", record.replaceAll("(?i)(^|;)\\s*" + tag + "\\s*=\\s*none", "$1 " + tag + "=quarantine")
                            .trim()));
            default -> new Check(DMARC, Status.MISMATCH, "the DMARC record at " + at + " has no valid " + tag + "= (none,"
                    + " quarantine or reject): receivers ignore it", suggested);
        };
        return new Policy(check, adkim, aspf, true);
    }

    /** Whether Herald's signature domain passes DMARC's identifier alignment with the From domain. */
    static Check alignment(String from, RecordChecks.Signer signer, Policy policy) {
        String organisation = organisational(from);
        boolean strict = policy.adkim().equals("s");
        String rule = (strict ? "adkim=s asks for d=" + from + " exactly" : "adkim=r asks for a d= within " + organisation
                + " (the organisational domain, taken here as the last two labels: under a public suffix such as co.uk,"
                + " check by hand)") + (policy.found() ? "" : "; no DMARC record was read, relaxed is assumed");
        String spf = ". SPF aligns only when the relay's MAIL FROM (bounce) domain is " + (policy.aspf().equals("s")
                ? from + " exactly (aspf=s)" : "within " + organisation + " (aspf=r)") + "; many relays use their own unless"
                + " a custom MAIL FROM is set up, so DMARC rests on DKIM";
        if (!signer.herald()) {
            return new Check(ALIGNMENT, Status.WARNING, rule + "; Herald does not sign and cannot see the d= the relay"
                    + " signs with: look at a received message's DKIM-Signature" + spf, null);
        }
        String d = signer.domain();
        boolean aligned = strict ? d.equals(from) : organisational(d).equals(organisation);
        if (aligned) {
            return Check.ok(ALIGNMENT, "Herald signs with d=" + d + ", aligned with From " + from + ": " + rule + spf);
        }
        return new Check(ALIGNMENT, Status.MISMATCH, "Herald signs with d=" + d + " but " + rule + ": DMARC fails even with"
                + " a valid signature. Set herald.email.dkim.domain=" + from + " and publish Herald's key there" + spf,
                new Publish(signer.selector().orElseThrow() + "._domainkey." + from, "TXT",
                        "v=DKIM1; k=rsa; p=" + signer.publicKey().orElseThrow()));
    }

    /**
     * The organisational domain by the simple rule of its last two labels (mail.example.com: example.com). The
     * public suffix list would be exact (example.co.uk); this rule is what Herald documents and checks.
     */
    static String organisational(String domain) {
        String[] labels = domain.split("\\.");
        return labels.length <= 2 ? domain : labels[labels.length - 2] + "." + labels[labels.length - 1];
    }

    private static List<String> records(Dns.Answer answer) {
        return answer.values().stream()
                .filter(v -> v.trim().regionMatches(true, 0, "v=DMARC1", 0, 8))
                .filter(v -> v.trim().length() == 8 || v.trim().charAt(8) == ';' || Character.isWhitespace(v.trim().charAt(8)))
                .toList();
    }
}
