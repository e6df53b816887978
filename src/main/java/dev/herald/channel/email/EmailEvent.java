package dev.herald.channel.email;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What a mail provider reported about one message Herald sent.
 *
 * @param source where it came from ("herald-hmac", "ses"); with {@code eventId} it identifies the event
 * @param reference the X-Herald-Delivery header or the Message-ID of the message, whichever the provider kept
 * @param permanent for a bounce: the address does not exist or refuses mail for good
 */
public record EmailEvent(String source, String eventId, Kind kind, boolean permanent, String reference, String detail) {

    @Schema(name = "EmailEventKind")
    public enum Kind {
        DELIVERED,
        BOUNCED,
        COMPLAINED
    }

    /** A notice and delivery id, as Herald writes them into every message (EmailComposer). */
    public record DeliveryRef(long noticeId, long deliveryId) {
    }

    private static final Pattern HEADER = Pattern.compile("(\\d+)/(\\d+)");
    private static final Pattern MESSAGE_ID = Pattern.compile("<?herald\\.(\\d+)\\.(\\d+)@[^>]+>?");

    /** The delivery this event is about, or null when the reference is not one of Herald's. */
    public DeliveryRef delivery() {
        if (reference == null) {
            return null;
        }
        String text = reference.strip();
        Matcher m = HEADER.matcher(text);
        if (!m.matches()) {
            m = MESSAGE_ID.matcher(text);
            if (!m.matches()) {
                return null;
            }
        }
        try {
            return new DeliveryRef(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
        } catch (NumberFormatException tooLong) {
            return null;
        }
    }
}
