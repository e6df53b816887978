package dev.herald.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.server.SMTPServer;

/**
 * An SMTP server on loopback that accepts every message and saves it as an .eml file, for people
 * to open (the demo). The benchmark counts with {@link CountingSink} instead.
 *
 * <pre>java -cp 'bench/target/classes:bench/target/lib/*' dev.herald.bench.MailSink --port 2525 --save demo/mail</pre>
 */
public final class MailSink implements AutoCloseable {

    private final SMTPServer server;
    private final Path saveDir;

    private MailSink(int port, Path saveDir) {
        this.saveDir = saveDir;
        this.server = SMTPServer.port(port)
                .bindAddress(InetAddress.getLoopbackAddress())
                .maxConnections(64)
                .messageHandlerFactory(this::handler)
                .build();
    }

    public static MailSink start(int port, Path saveDir) throws IOException {
        Files.createDirectories(saveDir);
        MailSink sink = new MailSink(port, saveDir);
        sink.server.start();
        return sink;
    }

    public int port() {
        return server.getPortAllocated();
    }

    @Override
    public void close() {
        server.stop();
    }

    private MessageHandler handler(MessageContext context) {
        return new MessageHandler() {
            private String recipient;

            @Override
            public void from(String from) {
            }

            @Override
            public void recipient(String to) {
                recipient = to;
            }

            @Override
            public String data(InputStream data) throws IOException {
                Files.copy(data, saveDir.resolve(recipient.replaceAll("[^A-Za-z0-9@._-]", "_") + "-"
                        + System.nanoTime() + ".eml"));
                return null;
            }

            @Override
            public void done() {
            }
        };
    }

    public static void main(String[] args) throws Exception {
        int port = 2525;
        Path save = Path.of("demo/mail");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--save" -> save = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; use --port N --save DIR");
            }
        }
        MailSink sink = start(port, save);
        System.out.println("Mail sink listening on 127.0.0.1:" + sink.port() + ", saving to " + save.toAbsolutePath());
        Runtime.getRuntime().addShutdownHook(new Thread(sink::close));
        Thread.currentThread().join();
    }
}
