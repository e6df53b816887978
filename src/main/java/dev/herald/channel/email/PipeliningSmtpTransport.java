package dev.herald.channel.email;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import jakarta.mail.internet.InternetAddress;

import org.eclipse.angus.mail.smtp.SMTPTransport;

import dev.herald.channel.email.SmtpSender.Reply;
import dev.herald.channel.email.SmtpSender.Stage;

/**
 * Angus's SMTP transport, speaking RFC 2920 pipelining to a relay that advertises it: MAIL FROM, RCPT TO
 * and DATA go out together and their three replies are read together, then the message and its final
 * dot, so that one message costs two round trips instead of Angus's four. Angus still connects, says
 * EHLO, starts TLS, authenticates and reads every reply; a relay that does not advertise PIPELINING,
 * or a message not already in SMTP's form, gets Angus's own one-command-at-a-time dialogue.
 */
final class PipeliningSmtpTransport extends SMTPTransport {

    private static final int START_MAIL_INPUT = 354;
    private static final byte[] END_OF_DATA = { '.', '\r', '\n' };
    /**
     * Angus's buffered stream to the relay (after STARTTLS, the encrypted one), which it keeps private:
     * a message already in SMTP's form is written to it directly.
     */
    private static final VarHandle SERVER_OUTPUT = serverOutput();

    private final boolean pipelining;

    PipeliningSmtpTransport(Session session, boolean pipelining) {
        super(session, new URLName("smtp", null, -1, null, null, null));
        this.pipelining = pipelining;
    }

    /**
     * Sends one message to its one recipient and returns the relay's answer to it, 250 with the relay's
     * receipt when it took it, or the refusal of the sender, the recipient or the message; code 0 when
     * the connection closed where a reply was due. A connection that breaks otherwise throws, as Angus
     * does; {@link SmtpSender#replyOf} reads what the exception carries.
     */
    synchronized Reply send(EmailComposer.ComposedMessage message) throws MessagingException {
        if (!pipelining || !supportsExtension("PIPELINING") || !canonical(message.bytes())) {
            sendMessage(message, message.getAllRecipients());
            return new Reply(250, SmtpSender.oneLine(getLastServerResponse()), Stage.MESSAGE);
        }
        sendCommand("MAIL FROM:<" + address(message.getFrom()[0]) + ">");
        sendCommand("RCPT TO:<" + address(message.getAllRecipients()[0]) + ">");
        sendCommand("DATA");
        // Every reply of the group is read, whatever the first ones said, to keep the dialogue in step.
        Reply sender = reply(Stage.SENDER, false);
        Reply recipient = sender.code() == 0 ? sender : reply(Stage.RECIPIENT, false);
        Reply data = recipient.code() == 0 ? recipient : reply(Stage.MESSAGE, true);
        Reply refusal = refusal(sender, recipient, data);
        if (refusal != null) {
            endTransaction(refusal, data);
            return refusal;
        }
        try {
            OutputStream out = (OutputStream) SERVER_OUTPUT.get(this);
            message.writeTo(out);
            out.write(END_OF_DATA);
            out.flush();
        } catch (IOException e) {
            throw new MessagingException("Writing the message to the SMTP relay failed: " + e.getMessage(), e);
        }
        return reply(Stage.MESSAGE, false);
    }

    /**
     * Whether the bytes are already what SMTP carries between DATA and the final dot: lines ending in
     * CRLF and none starting with a dot. Herald's composed messages are (headers, base64 parts), so they
     * are pipelined and written as they are; anything else is left to Angus's whole dialogue, whose
     * stream stuffs dots and mends line ends byte by byte, at about three times the cost.
     */
    static boolean canonical(byte[] bytes) {
        int n = bytes.length;
        if (n < 2 || bytes[n - 2] != '\r' || bytes[n - 1] != '\n') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            byte b = bytes[i];
            if (b == '\n' && (i == 0 || bytes[i - 1] != '\r') || b == '\r' && bytes[i + 1] != '\n'
                    || b == '.' && (i == 0 || bytes[i - 1] == '\n')) {
                return false;
            }
        }
        return true;
    }

    /** The first reply of the group that refused, or null when the relay waits for the message. */
    private static Reply refusal(Reply sender, Reply recipient, Reply data) {
        if (sender.code() == 0 || sender.code() >= 300) {
            return sender;
        }
        if (recipient.code() == 0 || recipient.code() >= 300) {
            return recipient;
        }
        return data.code() == START_MAIL_INPUT ? null : data;
    }

    /**
     * Closes the refused transaction so that the connection can carry the next message. A relay that
     * answered 354 although the recipient was refused gets an empty message ("." alone), as RFC 2920
     * section 3.1 says, which it refuses for want of a recipient; then RSET. A refused sender, a 421 or a
     * broken dialogue ends the connection instead ({@link SmtpSender} closes it), so nothing is said.
     */
    private void endTransaction(Reply refusal, Reply data) throws MessagingException {
        if (refusal.stage() == Stage.SENDER || refusal.stage() == Stage.CONNECTION || refusal.code() == 421
                || data.code() == 0) {
            return;
        }
        if (data.code() == START_MAIL_INPUT) {
            issueCommand(".", -1);
        }
        issueCommand("RSET", -1);
    }

    /**
     * The relay's next reply: a go-ahead (354 to DATA, else 2xx) or a refusal (4xx, 5xx); code 0 when the
     * connection closed instead or the reply is neither, a dialogue out of step.
     */
    private Reply reply(Stage stage, boolean toData) throws MessagingException {
        int code = readServerResponse();
        String text = SmtpSender.oneLine(getLastServerResponse());
        boolean goAhead = toData ? code == START_MAIL_INPUT : code >= 200 && code < 300;
        return goAhead || code >= 400 ? new Reply(code, text, stage) : new Reply(0, text, Stage.CONNECTION);
    }

    private static VarHandle serverOutput() {
        try {
            return MethodHandles.privateLookupIn(SMTPTransport.class, MethodHandles.lookup())
                    .findVarHandle(SMTPTransport.class, "serverOutput", OutputStream.class);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("This Angus Mail's SMTPTransport has no serverOutput stream to write to", e);
        }
    }

    private static String address(Address address) {
        return ((InternetAddress) address).getAddress();
    }
}
