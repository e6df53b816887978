package dev.herald.console;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The exact bytes a delivery sent (a MIME message or a push payload), read back into what the
 * customer saw: subject or title, and the text. Support reads this, not MIME.
 */
record SentMessage(String subject, String text, String html) {

    private static final Session SESSION = Session.getInstance(new Properties());
    private static final ObjectMapper JSON = new ObjectMapper();

    static SentMessage email(String mime) {
        try {
            MimeMessage message = new MimeMessage(SESSION, new ByteArrayInputStream(mime.getBytes(StandardCharsets.UTF_8)));
            String[] parts = new String[2];
            collect(message, parts);
            return new SentMessage(message.getSubject(), parts[0], parts[1]);
        } catch (MessagingException | IOException e) {
            return new SentMessage(null, "This message could not be read back: " + e.getMessage(), null);
        }
    }

    /** FCM's {"message": {"notification": …}} or APNs' {"aps": {"alert": …}}. */
    static SentMessage push(String payload) {
        try {
            JsonNode root = JSON.readTree(payload);
            JsonNode shown = root.has("aps") ? root.path("aps").path("alert")
                    : root.path("message").path("notification");
            return new SentMessage(shown.path("title").asText(null), shown.path("body").asText(null), null);
        } catch (IOException e) {
            return new SentMessage(null, payload, null);
        }
    }

    private static void collect(Part part, String[] parts) throws MessagingException, IOException {
        if (part.isMimeType("text/plain") && parts[0] == null) {
            parts[0] = (String) part.getContent();
        } else if (part.isMimeType("text/html") && parts[1] == null) {
            parts[1] = (String) part.getContent();
        } else if (part.getContent() instanceof Multipart multipart) {
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart child = multipart.getBodyPart(i);
                collect(child, parts);
            }
        }
    }
}
