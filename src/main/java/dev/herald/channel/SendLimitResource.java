package dev.herald.channel;

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
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.herald.delivery.Channel;

@Path("/v1/limits")
@Tag(name = "Send limits")
@Produces(MediaType.APPLICATION_JSON)
public class SendLimitResource {

    /** A fleet-wide limit for one channel's relay. */
    public record SendLimitRequest(@NotNull @Positive @Max(1_000_000) Double messagesPerSecond,
            @NotNull @Positive @Max(10_000) Integer connections) {
    }

    private final SendLimits limits;

    SendLimitResource(SendLimits limits) {
        this.limits = limits;
    }

    @GET
    @Path("/email")
    @Operation(summary = "The email relay's send limit, and this pod's share of it")
    public SendLimits.SendLimitView email() {
        return limits.view(Channel.EMAIL);
    }

    @PUT
    @Path("/email")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change the email relay's send limit while notices run",
            description = "For the whole fleet: each pod takes limit / pods alive within a few seconds. "
                    + "When the relay answers 4xx a pod slows below its share, and recovers after a quiet second.")
    public SendLimits.SendLimitView setEmail(@Valid @NotNull SendLimitRequest request) {
        return limits.set(Channel.EMAIL, request.messagesPerSecond(), request.connections());
    }
}
