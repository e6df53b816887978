package dev.herald.channel;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import org.jboss.resteasy.reactive.RestPath;

import dev.herald.delivery.DeliveryChannel;
import dev.herald.ops.InvalidInputException;
import dev.herald.security.AuditLog;
import dev.herald.security.Roles;

@Path("/v1/limits")
@Tag(name = "Send limits")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.OPERATOR)
public class SendLimitResource {

    /** A fleet-wide limit for one channel's relay. */
    public record SendLimitRequest(@NotNull @Positive @Max(1_000_000) Double messagesPerSecond,
            @NotNull @Positive @Max(10_000) Integer connections) {
    }

    private final SendLimits limits;
    private final AuditLog audit;

    SendLimitResource(SendLimits limits, AuditLog audit) {
        this.limits = limits;
        this.audit = audit;
    }

    @GET
    @Path("/{channel}")
    @Operation(summary = "A channel's send limit (email, push), and this pod's share of it")
    public SendLimits.SendLimitView get(@RestPath @Parameter(schema = @Schema(enumeration = { "email", "push" })) String channel) {
        return limits.view(channelOf(channel));
    }

    @PUT
    @Path("/{channel}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change a channel's send limit while notices run",
            description = "For the whole fleet: each pod takes limit / pods alive within a few seconds. "
                    + "When the provider pushes back (SMTP 4xx, HTTP 429) a pod slows below its share, and "
                    + "recovers after a quiet second.")
    public SendLimits.SendLimitView set(@RestPath @Parameter(schema = @Schema(enumeration = { "email", "push" })) String channel,
            @Valid @NotNull SendLimitRequest request) {
        SendLimits.SendLimitView view = limits.set(channelOf(channel), request.messagesPerSecond(), request.connections());
        audit.record(AuditLog.Action.SEND_LIMIT_CHANGED, null, channel + ": " + request.messagesPerSecond()
                + " messages/s over " + request.connections() + " connections");
        return view;
    }

    private static DeliveryChannel channelOf(String key) {
        for (DeliveryChannel channel : DeliveryChannel.values()) {
            if (channel.key().equals(key)) {
                return channel;
            }
        }
        throw InvalidInputException.of("channel", "must be one of email, push; got '" + key + "'");
    }
}
