package dev.herald.channel.email;

import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Date;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

import dev.herald.render.RenderedEmail;

/** Builds the MIME message of one delivery: multipart/alternative with a plain-text and an HTML part. */
@ApplicationScoped
public class EmailComposer {

    private static final Base64.Encoder BASE64 = Base64.getMimeEncoder(76, new byte[] { '\r', '\n' });

    private final InternetAddress from;
    private final String messageIdDomain;

    EmailComposer(EmailConfig config) throws AddressException {
        this.from = new InternetAddress(config.from(), true);
        this.messageIdDomain = config.messageIdDomain();
    }

    public MimeMessage compose(Session session, long noticeId, long deliveryId, String to, String toName,
            RenderedEmail email) throws MessagingException {
        String messageId = "<herald." + noticeId + "." + deliveryId + "@" + messageIdDomain + ">";
        MimeMessage message = new FixedIdMessage(session, messageId);
        message.setFrom(from);
        message.setRecipient(MimeMessage.RecipientType.TO, address(to, toName));
        message.setSubject(email.subject(), "UTF-8");
        message.setSentDate(new Date());
        message.setHeader("Content-Language", email.locale());
        message.setHeader("X-Herald-Delivery", noticeId + "/" + deliveryId);
        MimeMultipart body = new MimeMultipart("alternative", part("text/plain", email.text()),
                part("text/html", email.html()));
        message.setContent(body);
        message.saveChanges();
        return message;
    }

    /**
     * A body part whose bytes are encoded here, once, by the JDK's base64 encoder: given text instead,
     * Jakarta Mail scans it to choose an encoding and then quoted-printable-encodes it byte by byte,
     * which profiles showed to be the largest single cost of a send.
     */
    private static MimeBodyPart part(String type, String content) throws MessagingException {
        InternetHeaders headers = new InternetHeaders();
        headers.setHeader("Content-Type", type + "; charset=UTF-8");
        headers.setHeader("Content-Transfer-Encoding", "base64");
        return new MimeBodyPart(headers, BASE64.encode(content.getBytes(StandardCharsets.UTF_8)));
    }

    private static InternetAddress address(String email, String name) throws MessagingException {
        InternetAddress address = new InternetAddress(email, true);
        if (name != null && !name.isBlank()) {
            try {
                address.setPersonal(name, "UTF-8");
            } catch (UnsupportedEncodingException e) {
                throw new IllegalStateException("UTF-8 is always supported", e);
            }
        }
        return address;
    }

    /**
     * A Message-ID derived from the delivery, not random: a message sent again after a crash carries
     * the same id, so the receiving side can recognise the duplicate, and bounces name the delivery.
     */
    private static final class FixedIdMessage extends MimeMessage {
        private final String messageId;

        FixedIdMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }
}
