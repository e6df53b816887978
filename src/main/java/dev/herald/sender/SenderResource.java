package dev.herald.sender;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.herald.security.Roles;

@Path("/v1/senders")
@Tag(name = "Senders")
@Produces(MediaType.APPLICATION_JSON)
public class SenderResource {

    private final SenderReadiness readiness;

    SenderResource(SenderReadiness readiness) {
        this.readiness = readiness;
    }

    @GET
    @Path("/readiness")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Whether the From domain's DNS is set up as the big mailbox providers ask",
            description = "Asks DNS now for the From domain's SPF record, the DKIM key under the selector (Herald's own "
                    + "when it signs), its DMARC policy and alignment with the signature's d=, and its MX. Each check is OK, "
                    + "WARNING, MISSING, MISMATCH or DNS_FAILURE (DNS did not answer: nothing is known), and names the "
                    + "record to publish when it is not OK. ready is false while any check is MISSING, MISMATCH or "
                    + "DNS_FAILURE. A dispatch reuses an answer for herald.dns.cache (1 min).")
    public Readiness readiness() {
        return readiness.check();
    }
}
