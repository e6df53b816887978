package dev.herald.security;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;

@Path("/v1/audit")
@Tag(name = "Audit")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.ADMIN)
public class AuditResource {

    private final AuditLog audit;

    AuditResource(AuditLog audit) {
        this.audit = audit;
    }

    @GET
    @Operation(summary = "The audit log: who did what to which notice, when, from where",
            description = "Oldest first, in pages: pass next as after for the following page.")
    public AuditLog.Page page(@RestQuery @Min(1) Long notice, @RestQuery @Size(min = 1, max = 200) String actor,
            @RestQuery @DefaultValue("0") @Min(0) long after, @RestQuery @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        return audit.page(notice, actor, after, limit);
    }
}
