package dev.herald.support;

import java.net.InetAddress;
import java.util.Map;

import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.server.SMTPServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** A real SMTP server (SubEthaSMTP) on a free local port as Herald's relay, answering as {@link #handler} says. */
abstract class SubethaSmtpResource implements QuarkusTestResourceLifecycleManager {

    private SMTPServer server;

    /** The dialogue of one message. */
    abstract MessageHandler handler(MessageContext context);

    /** A message's dialogue that answers by its recipient and data only. */
    abstract static class RecipientDialogue implements MessageHandler {
        @Override
        public void from(String from) {
        }

        @Override
        public void done() {
        }
    }

    @Override
    public Map<String, String> start() {
        int port = FreePort.find();
        server = SMTPServer.port(port)
                .bindAddress(InetAddress.getLoopbackAddress())
                .maxConnections(100)
                .messageHandlerFactory(this::handler)
                .build();
        server.start();
        return Map.of("herald.smtp.host", "127.0.0.1", "herald.smtp.port", String.valueOf(port));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }
}
