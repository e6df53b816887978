package dev.herald.channel.email;

import java.io.UnsupportedEncodingException;
import java.util.Date;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

import dev.herald.render.RenderedEmail;

/** Builds the MIME message of one delivery: multipart/alternative with a plain-text and an HTML part. */
@ApplicationScoped
public class EmailComposer {

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
        MimeBodyPart text = new MimeBodyPart();
        text.setText(email.text(), "UTF-8", "plain");
        MimeBodyPart html = new MimeBodyPart();
        html.setText(email.html(), "UTF-8", "html");
        MimeMultipart body = new MimeMultipart("alternative", text, html);
        message.setContent(body);
        message.saveChanges();
        return message;
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
