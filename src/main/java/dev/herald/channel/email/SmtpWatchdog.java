package dev.herald.channel.email;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

import javax.net.SocketFactory;

/**
 * The write timeout of one SMTP connection. Socket timeouts cover reads only: a relay that stops
 * reading in the middle of a large message would block the write, and the batch holding that
 * connection, forever. This factory makes the connection's sockets and remembers the last; while
 * an exchange runs ({@link #begin} to {@link #end}), a periodic {@link #closeIfStalled} closes the
 * socket once the exchange has run longer than the timeout, which fails the blocked write.
 * <p>
 * Jakarta Mail's own {@code mail.smtp.writetimeout} does the same by scheduling and cancelling a
 * timer task around every socket write, which wakes a timer thread several times per email; on
 * 2 cores that cost about a fifth of the send rate.
 */
final class SmtpWatchdog extends SocketFactory {

    private final long timeoutNanos;
    private volatile Socket socket;
    /** When the running exchange began (System.nanoTime), or null between exchanges. */
    private volatile Long since;

    SmtpWatchdog(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    void begin() {
        since = System.nanoTime();
    }

    void end() {
        since = null;
    }

    /** Closes the socket when the running exchange is older than the timeout; answers whether it did. */
    boolean closeIfStalled() {
        Long started = since;
        Socket current = socket;
        if (started == null || current == null || System.nanoTime() - started < timeoutNanos) {
            return false;
        }
        try {
            current.close();
        } catch (IOException ignored) {
            // closing is all that was wanted; the blocked write fails either way
        }
        return true;
    }

    @Override
    public Socket createSocket() throws IOException {
        Socket created = new Socket();
        // Pipelined commands go out as they are written, not held back until the relay acknowledges the first.
        created.setTcpNoDelay(true);
        socket = created;
        return created;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    private Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
        Socket created = createSocket();
        if (local != null) {
            created.bind(local);
        }
        created.connect(remote);
        return created;
    }
}
