package dev.herald.channel.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.SocketFactory;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;

import dev.herald.channel.email.SmtpSender.Reply;
import dev.herald.channel.email.SmtpSender.Stage;
import dev.herald.support.PostfixRelay;

/**
 * The SMTP dialogue against a relay that advertises PIPELINING (a real Postfix) and one that does not
 * (SubEthaSMTP, which also stands behind Postfix to receive what it relays): the same replies decide the
 * same outcomes, refusals at RCPT TO inside a pipelined group included, and the connection carries the
 * next message after each; only the order of writes and reads on the socket differs.
 */
class PipeliningSmtpTransportTest {

    /** A message as Herald composes them: CRLF lines, none starting with a dot; written as it is. */
    private static final String BODY = "Date: Tue, 1 Dec 2026 09:00:00 +0000\r\nFrom: notices@herald.test\r\n"
            + "Subject: pipelined\r\nMessage-ID: <pipelined@herald.test>\r\n\r\nline one\r\nlast line\r\n";
    /** A line starting with a dot and a bare LF: dot-stuffing and line ends must carry it through unchanged. */
    private static final String DOTTED = BODY.replace("line one\r\n", "line one\n.a line that starts with a dot\r\n");
    private static final Map<String, String> received = new ConcurrentHashMap<>();
    private static SMTPServer downstream;
    private static PostfixRelay postfix;

    @BeforeAll
    static void start() throws Exception {
        downstream = SMTPServer.port(0).bindAddress(InetAddress.getLoopbackAddress())
                .messageHandlerFactory(context -> new Recorder()).build();
        downstream.start();
        postfix = PostfixRelay.start(downstream.getPortAllocated());
    }

    @AfterAll
    static void stop() throws Exception {
        postfix.close();
        downstream.stop();
    }

    @Test
    void pipelinesMailRcptAndDataToARelayThatAdvertisesItAndActsOnEveryReplyOfTheGroup() throws Exception {
        List<String> wire = new CopyOnWriteArrayList<>();
        PipeliningSmtpTransport transport = connected(postfix.port(), true, wire);

        Reply first = send(transport, "ok-p1@example.com");
        assertThat(first.code()).isEqualTo(250);
        assertThat(first.stage()).isEqualTo(Stage.MESSAGE);
        assertThat(first.text()).startsWith("250 2.0.0 Ok: queued as");
        // MAIL FROM, RCPT TO and DATA were all written before the first reply was read.
        assertThat(between(wire, "MAIL FROM", "DATA")).doesNotContain("read");

        assertRefusedAtRecipient(send(transport, "reject-p1@example.com"), 550, "5.1.1", "reject-p1@example.com");
        assertRefusedAtRecipient(send(transport, "jammed-p1@example.com"), 451, "4.3.2");

        // The refused transactions were closed (Postfix answered 554 to their DATA): the next message goes.
        Reply after = send(transport, "ok-p2@example.com", DOTTED);
        assertThat(after.code()).isEqualTo(250);
        assertThat(after.text()).startsWith("250 2.0.0 Ok: queued as");
        transport.close();

        await().atMost(Duration.ofSeconds(30)).until(() -> received.containsKey("ok-p2@example.com"));
        assertThat(received.get("ok-p1@example.com")).endsWith(BODY);
        // Not in SMTP's form, it went through Angus's dialogue, whose stream mends the bare LF into CRLF.
        assertThat(received.get("ok-p2@example.com")).endsWith(DOTTED.replace("one\n", "one\r\n"));
        assertThat(received).doesNotContainKeys("reject-p1@example.com", "jammed-p1@example.com");
    }

    @Test
    void speaksOneCommandAtATimeToARelayThatDoesNotAdvertisePipeliningWithTheSameOutcomes() throws Exception {
        List<String> wire = new CopyOnWriteArrayList<>();
        PipeliningSmtpTransport transport = connected(downstream.getPortAllocated(), true, wire);

        Reply first = send(transport, "ok-s1@example.com");
        assertThat(first.code()).isEqualTo(250);
        assertThat(between(wire, "MAIL FROM", "RCPT TO")).contains("read");
        assertRefusedAtRecipient(send(transport, "reject-s1@example.com"), 550);
        assertRefusedAtRecipient(send(transport, "jammed-s1@example.com"), 451);
        assertThat(send(transport, "ok-s2@example.com").code()).isEqualTo(250);
        transport.close();
        assertThat(received.get("ok-s2@example.com")).endsWith(BODY);
    }

    @Test
    void pipeliningSwitchedOffSpeaksOneCommandAtATimeEvenToARelayThatAdvertisesIt() throws Exception {
        List<String> wire = new CopyOnWriteArrayList<>();
        PipeliningSmtpTransport transport = connected(postfix.port(), false, wire);
        assertThat(send(transport, "ok-o1@example.com").code()).isEqualTo(250);
        assertThat(between(wire, "MAIL FROM", "RCPT TO")).contains("read");
        transport.close();
    }

    @Test
    void onlyMessagesAlreadyInSmtpFormAreWrittenAsTheyAre() {
        assertThat(PipeliningSmtpTransport.canonical(BODY.getBytes(StandardCharsets.US_ASCII))).isTrue();
        for (String other : List.of(DOTTED, ".starts with a dot\r\n", "a bare\rCR\r\n", "a bare\nLF\r\n",
                "no line end at the end", "ends in a bare CR\r", "")) {
            assertThat(PipeliningSmtpTransport.canonical(other.getBytes(StandardCharsets.US_ASCII))).as(other).isFalse();
        }
    }

    private static void assertRefusedAtRecipient(Reply reply, int code, String... text) {
        assertThat(reply.code()).isEqualTo(code);
        assertThat(reply.stage()).isEqualTo(Stage.RECIPIENT);
        if (text.length > 0) {
            assertThat(reply.text()).contains(text);
        }
    }

    private static PipeliningSmtpTransport connected(int port, boolean pipelining, List<String> wire)
            throws MessagingException {
        Properties properties = new Properties();
        properties.put("mail.smtp.socketFactory", new RecordingSockets(wire));
        properties.put("mail.smtp.timeout", "10000");
        PipeliningSmtpTransport transport = new PipeliningSmtpTransport(Session.getInstance(properties), pipelining);
        transport.connect("127.0.0.1", port, null, null);
        return transport;
    }

    /** What SmtpSender makes of the attempt: the returned reply, or the one a thrown exception carries. */
    private static Reply send(PipeliningSmtpTransport transport, String to) throws Exception {
        return send(transport, to, BODY);
    }

    private static Reply send(PipeliningSmtpTransport transport, String to, String body) throws Exception {
        EmailComposer.ComposedMessage message = new EmailComposer.ComposedMessage(Session.getInstance(new Properties()),
                new InternetAddress("notices@herald.test"), new InternetAddress(to),
                body.getBytes(StandardCharsets.US_ASCII));
        try {
            return transport.send(message);
        } catch (MessagingException e) {
            return SmtpSender.replyOf(e);
        }
    }

    /** The wire events after the last write starting with {@code from}, up to the next write starting with {@code to}. */
    private static List<String> between(List<String> wire, String from, String to) {
        int start = -1;
        for (int i = 0; i < wire.size(); i++) {
            if (wire.get(i).startsWith("write " + from)) {
                start = i;
            }
        }
        assertThat(start).as("a write of %s in %s", from, wire).isNotNegative();
        for (int end = start + 1; end < wire.size(); end++) {
            if (wire.get(end).startsWith("write " + to)) {
                return wire.subList(start + 1, end);
            }
        }
        throw new AssertionError("no write of " + to + " after " + from + " in " + wire);
    }

    /** Accepts what Postfix relays, and as a relay itself refuses reject-* (550) and jammed-* (451) at RCPT TO. */
    private static final class Recorder implements MessageHandler {
        private String recipient;

        @Override
        public void from(String from) {
        }

        @Override
        public void recipient(String to) throws RejectException {
            if (to.startsWith("reject-")) {
                throw new RejectException(550, "5.1.1 <" + to + ">: no such user");
            }
            if (to.startsWith("jammed-")) {
                throw new RejectException(451, "4.3.2 try again later");
            }
            recipient = to;
        }

        @Override
        public String data(InputStream data) throws IOException {
            received.put(recipient, new String(data.readAllBytes(), StandardCharsets.US_ASCII));
            return null;
        }

        @Override
        public void done() {
        }
    }

    /** Sockets that log, in order, each write (by its first line) and each read of the client. */
    private static final class RecordingSockets extends SocketFactory {
        private final List<String> wire;

        RecordingSockets(List<String> wire) {
            this.wire = wire;
        }

        @Override
        public Socket createSocket() {
            return new Socket() {
                @Override
                public OutputStream getOutputStream() throws IOException {
                    return new FilterOutputStream(super.getOutputStream()) {
                        @Override
                        public void write(byte[] b, int off, int len) throws IOException {
                            String text = new String(b, off, len, StandardCharsets.US_ASCII);
                            wire.add("write " + text.lines().findFirst().orElse(""));
                            out.write(b, off, len);
                        }
                    };
                }

                @Override
                public InputStream getInputStream() throws IOException {
                    return new FilterInputStream(super.getInputStream()) {
                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            int n = super.read(b, off, len);
                            wire.add("read");
                            return n;
                        }
                    };
                }
            };
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return connected(new InetSocketAddress(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return createSocket(host, port);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return connected(new InetSocketAddress(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return createSocket(address, port);
        }

        private Socket connected(InetSocketAddress address) throws IOException {
            Socket socket = createSocket();
            socket.connect(address);
            return socket;
        }
    }
}
