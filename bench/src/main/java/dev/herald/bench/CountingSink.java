package dev.herald.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The benchmark's SMTP server: accepts every message, counts it and throws it away. It speaks just
 * enough SMTP for Jakarta Mail (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and reads the data in 64 KB
 * blocks with a byte-level state machine. Like every large MTA it advertises PIPELINING (RFC 2920) and
 * sends the replies to what one read brought in one write, so that it costs a few percent of one core at 10,000
 * messages per second (SubEthaSMTP, used for the demo, cost ~25% of the machine at 4,500/s).
 */
final class CountingSink implements AutoCloseable {

    private static final byte[] GREETING = "220 sink ESMTP\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EHLO = "250-sink\r\n250-8BITMIME\r\n250-PIPELINING\r\n250 SIZE 104857600\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OK = "250 2.0.0 OK\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GO_AHEAD = "354 go ahead\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BYE = "221 bye\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final LongAdder accepted = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final Set<String> recipients = ConcurrentHashMap.newKeySet();
    private final AtomicLong firstAcceptedAt = new AtomicLong();
    private final Map<Long, LongAdder> perSecond = new ConcurrentHashMap<>();

    CountingSink() throws IOException {
        server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "sink-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    long accepted() {
        return accepted.sum();
    }

    /** Average size of the messages accepted, in bytes. */
    long averageMessageBytes() {
        return accepted.sum() == 0 ? 0 : bytes.sum() / accepted.sum();
    }

    int distinctRecipients() {
        return recipients.size();
    }

    long firstAcceptedAt() {
        return firstAcceptedAt.get();
    }

    /** Messages accepted in each second, keyed by epoch second. */
    Map<Long, LongAdder> perSecond() {
        return perSecond;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread session = new Thread(() -> serve(socket), "sink-session");
                session.setDaemon(true);
                session.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = socket.getInputStream();
                OutputStream out = new BufferedOutputStream(socket.getOutputStream())) {
            socket.setTcpNoDelay(true);
            out.write(GREETING);
            out.flush();
            byte[] buffer = new byte[1 << 16];
            StringBuilder line = new StringBuilder();
            boolean data = false;
            int match = 2; // progress through "\r\n.\r\n"; the DATA reply ends a line, so start after "\r\n"
            String recipient = null;
            long size = 0;
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                for (int i = 0; i < n; i++) {
                    byte b = buffer[i];
                    if (data) {
                        size++;
                        match = advance(match, b);
                        if (match == 5) {
                            data = false;
                            count(recipient, size);
                            out.write(OK);
                        }
                    } else if (b == '\n') {
                        String command = line.toString().trim();
                        line.setLength(0);
                        String verb = command.length() < 4 ? command.toUpperCase() : command.substring(0, 4).toUpperCase();
                        switch (verb) {
                            case "EHLO" -> out.write(EHLO);
                            case "RCPT" -> {
                                recipient = command.substring(command.indexOf(':') + 1).replaceAll("[<> ]", "");
                                out.write(OK);
                            }
                            case "DATA" -> {
                                data = true;
                                match = 2;
                                size = 0;
                                out.write(GO_AHEAD);
                            }
                            case "QUIT" -> {
                                out.write(BYE);
                                out.flush();
                                return;
                            }
                            default -> out.write(OK);
                        }
                    } else if (b != '\r') {
                        line.append((char) b);
                    }
                }
                out.flush();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    /** One step of matching the end of DATA, "\r\n.\r\n"; answers how much of it has been seen. */
    private static int advance(int match, byte b) {
        byte expected = switch (match) {
            case 0, 3 -> '\r';
            case 1, 4 -> '\n';
            default -> '.';
        };
        if (b == expected) {
            return match + 1;
        }
        return b == '\r' ? 1 : 0;
    }

    private void count(String recipient, long size) {
        bytes.add(size);
        long now = System.currentTimeMillis();
        firstAcceptedAt.compareAndSet(0, now);
        perSecond.computeIfAbsent(now / 1000, k -> new LongAdder()).increment();
        recipients.add(recipient);
        accepted.increment();
    }
}
