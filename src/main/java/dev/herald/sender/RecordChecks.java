package dev.herald.sender;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.herald.ops.Dns;
import dev.herald.sender.Readiness.Check;
import dev.herald.sender.Readiness.Publish;
import dev.herald.sender.Readiness.Status;

/** SPF, DKIM key and MX checks of what DNS answered: no lookups here. */
final class RecordChecks {

    static final String SPF = "SPF";
    static final String DKIM = "DKIM";
    static final String MX = "MX";

    /** Who signs: Herald, with its key under the selector, or (without a key) the relay, maybe under a known selector. */
    record Signer(String domain, Optional<String> selector, Optional<String> publicKey) {

        boolean herald() {
            return publicKey.isPresent();
        }

        Optional<String> keyName() {
            return selector.map(s -> s + "._domainkey." + domain);
        }
    }

    private RecordChecks() {
    }

    /** Exactly one {@code v=spf1} record at the domain (RFC 7208: two are a permanent error). */
    static Check spf(String domain, Dns.Answer txt) {
        if (txt.outcome() == Dns.Outcome.FAILED) {
            return Check.dnsFailure(SPF, txt);
        }
        List<String> records = txt.values().stream().filter(RecordChecks::isSpf).toList();
        if (records.isEmpty()) {
            return new Check(SPF, Status.MISSING, "no SPF record at " + domain + ": receivers cannot tell which servers"
                    + " may send its mail. Publish one naming your relay: replace RELAY-SPF-DOMAIN with the domain its"
                    + " documentation gives (amazonses.com, sendgrid.net, spf.mtasv.net, _spf.google.com, …) or use"
                    + " ip4:ADDRESS for a relay of your own", new Publish(domain, "TXT", "v=spf1 include:RELAY-SPF-DOMAIN ~all"));
        }
        if (records.size() > 1) {
            return new Check(SPF, Status.MISMATCH, records.size() + " SPF records at " + domain + " (" + String.join(" | ", records)
                    + "): receivers treat that as a permanent error and SPF fails (RFC 7208 4.5). Replace them with one"
                    + " record that merges them", new Publish(domain, "TXT", merged(records)));
        }
        String record = records.get(0);
        Set<String> terms = Set.of(record.toLowerCase(Locale.ROOT).split("\\s+"));
        if (terms.contains("+all") || terms.contains("all")) {
            return new Check(SPF, Status.WARNING, "the SPF record at " + domain + " ends in +all: any server may send as "
                    + domain + ". List your relay and end in ~all or -all", new Publish(domain, "TXT", merged(records)));
        }
        return Check.ok(SPF, record);
    }

    /** Herald's own key published under its selector, or, when the relay signs, a key under the selector given. */
    static Check dkim(Signer signer, Dns.Answer txt) {
        if (signer.keyName().isEmpty()) {
            return new Check(DKIM, Status.WARNING, "Herald does not sign (no herald.email.dkim.private-key): the relay must"
                    + " sign with a d= aligned with " + signer.domain() + ". Set herald.email.dkim.selector to the"
                    + " relay's selector to have its key checked here", null);
        }
        String name = signer.keyName().get();
        if (txt.outcome() == Dns.Outcome.FAILED) {
            return Check.dnsFailure(DKIM, txt);
        }
        List<String> keys = new ArrayList<>();
        for (String value : txt.values()) {
            Map<String, String> tags = tags(value);
            if (tags.containsKey("p")) {
                keys.add(tags.get("p").replaceAll("\\s", ""));
            }
        }
        if (!signer.herald()) {
            Publish relayKey = new Publish(name, "TXT", "v=DKIM1; k=rsa; p=THE-PUBLIC-KEY-YOUR-RELAY-GIVES");
            if (keys.stream().anyMatch(k -> !k.isEmpty())) {
                return new Check(DKIM, Status.OK, "a key is published at " + name + "; Herald does not sign, so the relay"
                        + " must sign with it (d=" + signer.domain() + ", s=" + signer.selector().get() + ")", null);
            }
            String found = keys.isEmpty() ? "no DKIM key at " + name : "the DKIM key at " + name + " is revoked (empty p=)";
            return new Check(DKIM, keys.isEmpty() ? Status.MISSING : Status.MISMATCH, found + ": Herald does not sign, and"
                    + " receivers cannot verify the relay's signature. Publish the key your relay gives (some relays"
                    + " ask for a CNAME to their own record instead)", relayKey);
        }
        Publish heralds = new Publish(name, "TXT", "v=DKIM1; k=rsa; p=" + signer.publicKey().get());
        if (keys.isEmpty()) {
            return new Check(DKIM, Status.MISSING, "Herald signs with d=" + signer.domain() + ", s=" + signer.selector().get()
                    + " but no DKIM key is published at " + name + ": receivers cannot verify its signatures", heralds);
        }
        if (!keys.contains(signer.publicKey().get())) {
            return new Check(DKIM, Status.MISMATCH, (keys.stream().allMatch(String::isEmpty) ? "the key at " + name
                    + " is revoked (empty p=)" : "the key at " + name + " is not the one herald.email.dkim.private-key"
                    + " holds") + ": Herald's signatures fail to verify", heralds);
        }
        if (txt.values().size() > 1) {
            return new Check(DKIM, Status.WARNING, txt.values().size() + " records at " + name + ", one of them Herald's"
                    + " key: receivers may pick another and fail. Keep only Herald's", heralds);
        }
        return Check.ok(DKIM, "Herald signs with d=" + signer.domain() + ", s=" + signer.selector().get()
                + ", and the key published at " + name + " is Herald's");
    }

    /** Somewhere to reply and bounce to: receivers distrust a From domain that receives no mail. */
    static Check mx(String domain, Dns.Answer mx) {
        if (mx.outcome() == Dns.Outcome.FAILED) {
            return Check.dnsFailure(MX, mx);
        }
        Publish record = new Publish(domain, "MX", "10 YOUR-MAIL-SERVER");
        if (mx.values().isEmpty()) {
            return new Check(MX, Status.WARNING, "no MX at " + domain + ": replies to the notice go nowhere, and some"
                    + " receivers refuse mail from a domain that receives none. Point it at a mailbox people read", record);
        }
        if (mx.values().size() == 1 && mx.values().get(0).endsWith(" .")) {
            return new Check(MX, Status.WARNING, domain + " publishes a null MX (RFC 7505): it receives no mail, and"
                    + " some receivers refuse mail from it; replies to the notice go nowhere", record);
        }
        return Check.ok(MX, "mail to " + domain + " goes to " + String.join(", ", mx.values()));
    }

    /** A record's tag=value list (DKIM, DMARC), names in lower case. */
    static Map<String, String> tags(String record) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (String part : record.split(";")) {
            int equals = part.indexOf('=');
            if (equals > 0) {
                tags.putIfAbsent(part.substring(0, equals).trim().toLowerCase(Locale.ROOT), part.substring(equals + 1).trim());
            }
        }
        return tags;
    }

    private static boolean isSpf(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        return v.equals("v=spf1") || v.startsWith("v=spf1 ");
    }

    /** One record with every mechanism of the given ones, in order, ending in the first one's "all" (else ~all). */
    private static String merged(List<String> records) {
        Set<String> terms = new LinkedHashSet<>();
        String all = null;
        for (String record : records) {
            for (String term : record.trim().split("\\s+")) {
                String lower = term.toLowerCase(Locale.ROOT);
                if (lower.equals("v=spf1") || lower.startsWith("redirect=")) {
                    continue;
                }
                if (lower.matches("[+?~-]?all")) {
                    all = all == null && !lower.equals("all") && !lower.equals("+all") ? lower : all;
                } else {
                    terms.add(term);
                }
            }
        }
        return "v=spf1 " + (terms.isEmpty() ? "" : String.join(" ", terms) + " ") + (all == null ? "~all" : all);
    }
}
