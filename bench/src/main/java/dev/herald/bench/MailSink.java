package dev.herald.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.server.SMTPServer;

/**
 * An SMTP server on loopback that accepts every message. It either saves each one as an .eml file
 * (for people to open) or reads and discards it, counting messages, distinct recipients and
 * acceptances per second (for the benchmark).
 *
 * <pre>java -cp 'bench/target/classes:bench/target/lib/*' dev.herald.bench.MailSink --port 2525 --save demo/mail</pre>
 */
public final class MailSink implements AutoCloseable {

    private final SMTPServer server;
    private final Path saveDir;
    private final LongAdder accepted = new LongAdder();
    private final Set<String> recipients = ConcurrentHashMap.newKeySet();
    private final AtomicLong firstAcceptedAt = new AtomicLong();
    private final AtomicLong lastAcceptedAt = new AtomicLong();
    private final Map<Long, LongAdder> perSecond = new ConcurrentHashMap<>();

    private MailSink(int port, Path saveDir) {
        this.saveDir = saveDir;
        this.server = SMTPServer.port(port)
                .bindAddress(InetAddress.getLoopbackAddress())
                .maxConnections(64)
                .messageHandlerFactory(this::handler)
                .build();
    }

    public static MailSink start(int port, Path saveDir) throws IOException {
        if (saveDir != null) {
            Files.createDirectories(saveDir);
        }
        MailSink sink = new MailSink(port, saveDir);
        sink.server.start();
        return sink;
    }

    public int port() {
        return server.getPortAllocated();
    }

    public long accepted() {
        return accepted.sum();
    }

    public int distinctRecipients() {
        return recipients.size();
    }

    /** Epoch millis of the first accepted message, 0 before any. */
    public long firstAcceptedAt() {
        return firstAcceptedAt.get();
    }

    public long lastAcceptedAt() {
        return lastAcceptedAt.get();
    }

    /** Messages accepted in each second, keyed by epoch second. */
    public Map<Long, LongAdder> perSecond() {
        return perSecond;
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
                if (saveDir == null) {
                    data.transferTo(OutputStream.nullOutputStream());
                } else {
                    Path file = saveDir.resolve(recipient.replaceAll("[^A-Za-z0-9@._-]", "_") + "-"
                            + System.nanoTime() + ".eml");
                    Files.copy(data, file);
                }
                long now = System.currentTimeMillis();
                firstAcceptedAt.compareAndSet(0, now);
                lastAcceptedAt.accumulateAndGet(now, Math::max);
                perSecond.computeIfAbsent(now / 1000, k -> new LongAdder()).increment();
                recipients.add(recipient);
                accepted.increment();
                return null;
            }

            @Override
            public void done() {
            }
        };
    }

    public static void main(String[] args) throws Exception {
        int port = 2525;
        Path save = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--save" -> save = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "; use --port N --save DIR");
            }
        }
        MailSink sink = start(port, save);
        System.out.println("Mail sink listening on 127.0.0.1:" + sink.port()
                + (save == null ? ", discarding" : ", saving to " + save.toAbsolutePath()));
        Runtime.getRuntime().addShutdownHook(new Thread(sink::close));
        Thread.currentThread().join();
    }
}
