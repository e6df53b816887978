package dev.herald.channel.email;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

import dev.herald.ops.InvalidInputException;
import dev.herald.security.AuditLog;
import dev.herald.security.Roles;

@Path("/v1/limits/email/domains")
@Tag(name = "Send limits")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.OPERATOR)
public class DomainLimitResource {

    /** A fleet-wide limit for one receiving domain group. */
    public record DomainLimitRequest(@NotNull @Positive @Max(1_000_000) Double messagesPerSecond) {
    }

    private static final Pattern DOMAIN = Pattern.compile("(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9-]{2,63}");

    private final DomainPaces paces;
    private final AuditLog audit;

    DomainLimitResource(DomainPaces paces, AuditLog audit) {
        this.paces = paces;
        this.audit = audit;
    }

    @GET
    @Operation(summary = "Every receiving domain group with a limit, a learned pace or a configured membership",
            description = "A group that deferred Herald for its pace shows \"deferring\", its pace for the fleet now, "
                    + "since when and the last deferral reply.")
    public List<DomainPaces.DomainPaceView> list() {
        return paces.views();
    }

    @GET
    @Path("/{group}")
    @Operation(summary = "One receiving domain group's pace")
    public DomainPaces.DomainPaceView get(@RestPath String group) {
        return paces.view(groupOf(group));
    }

    @PUT
    @Path("/{group}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Limit the mail to one receiving domain group while notices run",
            description = "For the whole fleet: each pod takes limit / pods alive within a few seconds; the rest of the "
                    + "mail goes at the relay's pace. A deferral for the sender's pace slows the group further, never "
                    + "above this limit. The group is a configured provider group (gmail.com holds googlemail.com) or "
                    + "any other receiving domain.")
    public DomainPaces.DomainPaceView set(@RestPath String group, @Valid @NotNull DomainLimitRequest request) {
        String name = groupOf(group);
        DomainPaces.DomainPaceView view = paces.limit(name, request.messagesPerSecond());
        audit.record(AuditLog.Action.SEND_LIMIT_CHANGED, null, "email to " + name + ": " + request.messagesPerSecond()
                + " messages/s");
        return view;
    }

    @DELETE
    @Path("/{group}")
    @Operation(summary = "Remove an operator's limit for one receiving domain group",
            description = "What the group's deferrals taught stays in force until it has been quiet for "
                    + "herald.email.pace.forget-after.")
    public DomainPaces.DomainPaceView remove(@RestPath String group) {
        String name = groupOf(group);
        DomainPaces.DomainPaceView view = paces.unlimit(name);
        audit.record(AuditLog.Action.SEND_LIMIT_CHANGED, null, "email to " + name + ": no limit");
        return view;
    }

    private static String groupOf(String group) {
        String name = group.toLowerCase(Locale.ROOT);
        if (!DOMAIN.matcher(name).matches()) {
            throw InvalidInputException.of("group", "must be a domain name such as gmail.com (letters, digits, hyphens"
                    + " and dots, at most 253 characters)");
        }
        return name;
    }
}
