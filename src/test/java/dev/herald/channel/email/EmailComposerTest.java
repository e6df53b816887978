package dev.herald.channel.email;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

import org.junit.jupiter.api.Test;

import dev.herald.render.RenderedEmail;

/** The bytes Herald composes read back, through Jakarta Mail's parser, as the message that was meant. */
class EmailComposerTest {

    private static final Session SESSION = Session.getInstance(new Properties());

    private static final EmailConfig CONFIG = EmailSettings.unsigned("Sécurité Exemple <security@herald.example>");

    private final EmailComposer composer = new EmailComposer(CONFIG, new DkimSigning(CONFIG));

    EmailComposerTest() throws Exception {
    }

    @Test
    void composedBytesParseBackToTheRenderedEmail() throws Exception {
        String subject = "Avis de sécurité important concernant votre compte — incident du 20 novembre 2026, à lire";
        String text = "Bonjour Zoë,\n\n" + "Nous avons découvert un accès non autorisé. ".repeat(40) + "\n— L'équipe";
        String html = "<p>Bonjour Zo&euml;,</p>\n<p>" + "Des données vous concernant ont été exposées. ".repeat(40) + "</p>";

        MimeMessage parsed = roundTrip(composer.compose(SESSION, 7, 123456, "zoe@example.fr", "Zoë Dupont",
                new RenderedEmail("fr", subject, html, text), java.time.Instant.parse("2026-11-20T15:00:00Z")));

        assertThat(parsed.getSubject()).isEqualTo(subject);
        InternetAddress to = (InternetAddress) parsed.getRecipients(MimeMessage.RecipientType.TO)[0];
        assertThat(to.getAddress()).isEqualTo("zoe@example.fr");
        assertThat(to.getPersonal()).isEqualTo("Zoë Dupont");
        InternetAddress from = (InternetAddress) parsed.getFrom()[0];
        assertThat(from.getAddress()).isEqualTo("security@herald.example");
        assertThat(from.getPersonal()).isEqualTo("Sécurité Exemple");
        assertThat(parsed.getMessageID()).isEqualTo("<herald.7.123456@herald.example>");
        assertThat(parsed.getHeader("X-Herald-Delivery", null)).isEqualTo("7/123456");
        assertThat(parsed.getHeader("Content-Language", null)).isEqualTo("fr");
        assertThat(parsed.getSentDate()).isNotNull();

        MimeMultipart body = (MimeMultipart) parsed.getContent();
        assertThat(body.getContentType()).startsWith("multipart/alternative");
        assertThat(body.getCount()).isEqualTo(2);
        assertThat(body.getBodyPart(0).isMimeType("text/plain")).isTrue();
        assertThat(body.getBodyPart(0).getContent()).isEqualTo(text);
        assertThat(body.getBodyPart(1).isMimeType("text/html")).isTrue();
        assertThat(body.getBodyPart(1).getContent()).isEqualTo(html);
    }

    @Test
    void everyLineIsShortAsciiEndingInCrlfAndANameCannotAddHeaders() throws Exception {
        MimeMessage message = composer.compose(SESSION, 1, 2, "eve@example.com", "Eve\r\nBcc: everyone@example.com",
                new RenderedEmail("en", "Notice", "<p>" + "x".repeat(5_000) + "</p>", "y".repeat(5_000)),
                java.time.Instant.parse("2026-11-20T15:00:00Z"));
        String wire = new String(bytesOf(message), StandardCharsets.ISO_8859_1);

        assertThat(wire).doesNotContain("\nBcc:").endsWith("\r\n");
        for (String line : wire.split("\r\n", -1)) {
            assertThat(line.length()).as("line length").isLessThanOrEqualTo(78);
            assertThat(line).doesNotContain("\r").doesNotContain("\n");
            assertThat(line.chars().allMatch(c -> c < 128)).as("ASCII only: %s", line).isTrue();
        }
        assertThat(roundTrip(message).getAllRecipients()).hasSize(1);
        assertThat(message.getSize()).isEqualTo(wire.length());
    }

    private static MimeMessage roundTrip(MimeMessage composed) throws Exception {
        return new MimeMessage(SESSION, new ByteArrayInputStream(bytesOf(composed)));
    }

    private static byte[] bytesOf(MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }
}
