package dev.herald.channel.email;

import java.io.IOException;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;

@Path("/v1/events/email")
@Tag(name = "Provider events")
@Produces(MediaType.APPLICATION_JSON)
// Providers cannot carry a token: each event is authenticated by its signature instead.
@PermitAll
public class EmailEventResource {

    /** What Herald did with an event; a replay answers DUPLICATE and changes nothing. */
    public record EventReceipt(String source, String eventId, String result) {
    }

    private final SignedEvents signed;
    private final SesNotifications ses;
    private final EmailEvents events;

    EmailEventResource(SignedEvents signed, SesNotifications ses, EmailEvents events) {
        this.signed = signed;
        this.ses = ses;
        this.events = events;
    }

    @POST
    // SNS posts its JSON as text/plain.
    @Consumes({ MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN })
    @Operation(summary = "Bounces, complaints and delivery reports from the mail provider",
            description = "Either Herald's HMAC-signed JSON (header X-Herald-Signature, see the README) or an "
                    + "Amazon SNS message carrying an SES notification (header x-amz-sns-message-type). A delivery "
                    + "moves to DELIVERED or BOUNCED; a hard bounce or a complaint suppresses the address for later "
                    + "notices. Events about unknown deliveries are answered UNKNOWN_DELIVERY and logged.")
    @RequestBody(required = true, content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SignedEvents.SignedEvent.class)),
            @Content(mediaType = MediaType.TEXT_PLAIN, schema = @Schema(type = SchemaType.STRING,
                    description = "An Amazon SNS message (Notification or SubscriptionConfirmation) as SNS posts it")) })
    public EventReceipt receive(byte[] body, @HeaderParam("X-Herald-Signature") String signature,
            @HeaderParam("x-amz-sns-message-type") String snsType) throws IOException, InterruptedException {
        if (snsType == null) {
            EmailEvent event = signed.read(body, signature);
            return new EventReceipt(event.source(), event.eventId(), events.apply(event).name());
        }
        JsonNode message = ses.verified(body);
        String messageId = message.get("MessageId").asText();
        return switch (message.get("Type").asText()) {
            case "SubscriptionConfirmation" -> {
                ses.confirm(message);
                yield new EventReceipt(SesNotifications.SOURCE, messageId, "SUBSCRIBED");
            }
            case "Notification" -> ses.event(message)
                    .map(event -> new EventReceipt(event.source(), event.eventId(), events.apply(event).name()))
                    .orElse(new EventReceipt(SesNotifications.SOURCE, messageId, "IGNORED"));
            default -> new EventReceipt(SesNotifications.SOURCE, messageId, "IGNORED");
        };
    }
}
