package dev.herald.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real SMTP server (SubEthaSMTP) that a test can take down and bring back on the same port, as a
 * relay that crashes and is restarted. It goes down between messages: from then on every new message
 * is refused at MAIL FROM with 421, then the server stops listening; a message already in DATA is
 * taken whole, so that the test can count every message accepted exactly.
 */
public class StoppableSmtpServer implements QuarkusTestResourceLifecycleManager {

    private static final List<String> accepted = new CopyOnWriteArrayList<>();
    private static volatile boolean down;
    private static volatile SMTPServer server;
    private static int port;

    @Override
    public Map<String, String> start() {
        port = FreePort.find();
        comeBack();
        return Map.of("herald.smtp.host", "127.0.0.1", "herald.smtp.port", String.valueOf(port));
    }

    @Override
    public void stop() {
        server.stop();
    }

    /** Recipients whose message was accepted, once per accepted message, across restarts. */
    public static List<String> accepted() {
        return List.copyOf(accepted);
    }

    public static void goDown() throws InterruptedException {
        down = true;
        // Long enough for a message already in DATA to be taken whole; none can start meanwhile.
        Thread.sleep(500);
        server.stop();
    }

    public static void comeBack() {
        down = false;
        server = SMTPServer.port(port)
                .bindAddress(InetAddress.getLoopbackAddress())
                .messageHandlerFactory(StoppableSmtpServer::handler)
                .build();
        server.start();
    }

    private static MessageHandler handler(MessageContext context) {
        return new MessageHandler() {
            private String recipient;

            @Override
            public void from(String from) throws RejectException {
                if (down) {
                    throw new RejectException(421, "4.3.2 service shutting down");
                }
            }

            @Override
            public void recipient(String to) {
                recipient = to;
            }

            @Override
            public String data(InputStream data) throws IOException {
                data.transferTo(OutputStream.nullOutputStream());
                accepted.add(recipient);
                return null;
            }

            @Override
            public void done() {
            }
        };
    }
}
