package dev.herald.channel.email;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;

import dev.herald.render.NoticeRenderer;
import dev.herald.render.RenderedEmail;

/**
 * Builds the MIME message of one delivery: multipart/alternative with a plain-text and an HTML part,
 * both base64. The bytes are written here, once, rather than by a {@code MimeMessage} tree: profiles
 * showed Jakarta Mail's header bookkeeping, {@code saveChanges} and layered part streams costing more
 * CPU per email than rendering. Jakarta Mail still encodes what needs care (encoded words in the
 * subject and display name, header folding) and still speaks SMTP. With a DKIM key the message is signed
 * last, its bytes unchanged behind the signature header ({@link DkimSigning}).
 */
@ApplicationScoped
public class EmailComposer {

    private static final Base64.Encoder BASE64 = Base64.getMimeEncoder(76, new byte[] { '\r', '\n' });
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);
    private static final byte[] CRLF = { '\r', '\n' };

    private final InternetAddress from;
    private final String fromHeader;
    private final String messageIdDomain;
    private final DkimSigning dkim;

    EmailComposer(EmailConfig config, DkimSigning dkim) throws AddressException {
        this.dkim = dkim;
        InternetAddress configured = new InternetAddress(config.from(), true);
        // Encoded as UTF-8 whatever the platform's default charset is (a POSIX locale would make it "?").
        this.from = address(configured.getAddress(), configured.getPersonal());
        this.fromHeader = "From: " + MimeUtility.fold(6, from.toString());
        this.messageIdDomain = config.messageIdDomain();
    }

    /**
     * The message, with a Message-ID derived from the delivery, not random: a message sent again after
     * a crash carries the same id, so the receiving side can recognise the duplicate, and bounces name
     * the delivery. Nothing in it depends on when it is made ({@code date} is the notice's dispatch),
     * so the same delivery always has the same bytes: the evidence can re-make it and compare hashes.
     */
    ComposedMessage compose(Session session, long noticeId, long deliveryId, String to, String toName,
            RenderedEmail email, Instant date) throws MessagingException {
        InternetAddress recipient = address(to, toName);
        String boundary = "----=_Herald_" + noticeId + "_" + deliveryId;
        byte[] text = BASE64.encode(email.text().getBytes(StandardCharsets.UTF_8));
        byte[] html = BASE64.encode(email.html().getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length + html.length + 1_024);
        line(out, "Date: " + DATE.format(ZonedDateTime.ofInstant(date, ZoneOffset.UTC)));
        line(out, fromHeader);
        line(out, "To: " + InternetAddress.toString(new Address[] { recipient }, 4));
        line(out, "Message-ID: <herald." + noticeId + "." + deliveryId + "@" + messageIdDomain + ">");
        line(out, "Subject: " + subject(email.subject()));
        line(out, "MIME-Version: 1.0");
        line(out, "Content-Language: " + email.locale());
        line(out, "X-Herald-Delivery: " + noticeId + "/" + deliveryId);
        line(out, "Content-Type: multipart/alternative;");
        line(out, "\tboundary=\"" + boundary + "\"");
        out.writeBytes(CRLF);
        part(out, boundary, "text/plain", text);
        part(out, boundary, "text/html", html);
        line(out, "--" + boundary + "--");
        return dkim.sign(new ComposedMessage(session, from, recipient, out.toByteArray()));
    }

    private static void part(ByteArrayOutputStream out, String boundary, String type, byte[] base64) {
        line(out, "--" + boundary);
        line(out, "Content-Type: " + type + "; charset=UTF-8");
        line(out, "Content-Transfer-Encoding: base64");
        out.writeBytes(CRLF);
        out.writeBytes(base64);
        out.writeBytes(CRLF);
    }

    /** Headers are ASCII: whatever is not was encoded as an RFC 2047 word before it got here. */
    private static void line(ByteArrayOutputStream out, String header) {
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(CRLF);
    }

    /** Encoded words where the text is not ASCII, folded; the renderer already made it one line. */
    private static String subject(String text) {
        try {
            return MimeUtility.fold(9, MimeUtility.encodeText(text, "UTF-8", null));
        } catch (UnsupportedEncodingException e) {
            throw new IllegalStateException("UTF-8 is always supported", e);
        }
    }

    private static InternetAddress address(String email, String name) throws AddressException {
        InternetAddress address = new InternetAddress(email, true);
        if (name != null && !name.isBlank()) {
            try {
                address.setPersonal(NoticeRenderer.oneLine(name), "UTF-8");
            } catch (UnsupportedEncodingException e) {
                throw new IllegalStateException("UTF-8 is always supported", e);
            }
        }
        return address;
    }

    /**
     * A message whose bytes are already composed. The SMTP transport asks it for the envelope (From,
     * recipients) and its size, and has it write itself; nothing else of {@code MimeMessage} is used.
     */
    static final class ComposedMessage extends MimeMessage {
        private final Address[] from;
        private final Address[] recipients;
        private final byte[] bytes;
        /** Whether the transport has had the whole message: from then on a broken connection may have delivered it. */
        private volatile boolean written;

        ComposedMessage(Session session, InternetAddress from, InternetAddress to, byte[] bytes) {
            this(session, new Address[] { from }, new Address[] { to }, bytes);
        }

        private ComposedMessage(Session session, Address[] from, Address[] recipients, byte[] bytes) {
            super(session);
            this.from = from;
            this.recipients = recipients;
            this.bytes = bytes;
        }

        /** The same envelope with other bytes: the message as signed. */
        ComposedMessage withBytes(byte[] other) {
            return new ComposedMessage(session, from, recipients, other);
        }

        @Override
        public Address[] getFrom() {
            return from.clone();
        }

        @Override
        public Address[] getAllRecipients() {
            return recipients.clone();
        }

        @Override
        public int getSize() {
            return bytes.length;
        }

        @Override
        public void writeTo(OutputStream os, String[] ignoreList) throws IOException {
            os.write(bytes);
            written = true;
        }

        boolean written() {
            return written;
        }

        /** The message as it goes to the relay (before SMTP's dot-stuffing). */
        byte[] bytes() {
            return bytes;
        }
    }
}
