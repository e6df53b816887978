package dev.herald.sender;

import java.time.OffsetDateTime;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.herald.ops.Dns;

/**
 * Whether the From domain is set up as the big mailbox providers ask (SPF, DKIM, DMARC aligned with the
 * From address), as DNS answers it now. {@code ready} is false while any check is MISSING, MISMATCH or
 * DNS_FAILURE; a WARNING is for a person to judge.
 */
@Schema(name = "SenderReadiness")
public record Readiness(String domain, boolean ready, OffsetDateTime checkedAt, List<Check> checks) {

    @Schema(name = "SenderCheckStatus")
    public enum Status {
        OK, WARNING, MISSING, MISMATCH, DNS_FAILURE;

        boolean blocks() {
            return this == MISSING || this == MISMATCH || this == DNS_FAILURE;
        }
    }

    /** One check: what was found and, unless OK, what to publish instead (when Herald can say). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "SenderCheck")
    public record Check(String name, Status status, String detail, Publish publish) {

        static Check ok(String name, String detail) {
            return new Check(name, Status.OK, detail, null);
        }

        static Check dnsFailure(String name, Dns.Answer answer) {
            return new Check(name, Status.DNS_FAILURE, answer.type() + " lookup of " + answer.name() + " failed: "
                    + answer.failure() + "; nothing is known about this record until DNS answers", null);
        }
    }

    /** A DNS record to publish: its name, type and value, as a DNS provider's form asks for them. */
    @Schema(name = "DnsRecord")
    public record Publish(String name, String type, String value) {
    }

    static Readiness of(String domain, OffsetDateTime checkedAt, List<Check> checks) {
        return new Readiness(domain, checks.stream().noneMatch(c -> c.status().blocks()), checkedAt, List.copyOf(checks));
    }
}
