package dev.herald.channel.email;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.mail.Session;
import jakarta.mail.Transport;

import org.junit.jupiter.api.Test;

/** A relay that stops reading cannot block a send for longer than the timeout. */
class SmtpWatchdogTest {

    @Test
    void aWriteBlockedByARelayThatStoppedReadingFailsOnceTheTimeoutHasPassed() throws Exception {
        SmtpWatchdog watchdog = new SmtpWatchdog(Duration.ofMillis(300));
        try (ServerSocket relay = new ServerSocket()) {
            relay.setReceiveBufferSize(1024);
            relay.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Socket client = watchdog.createSocket();
            client.connect(relay.getLocalSocketAddress(), 1_000);
            try (Socket accepted = relay.accept()) {
                // The relay never reads: the writer fills both buffers and blocks.
                CompletableFuture<Throwable> writer = CompletableFuture.supplyAsync(() -> {
                    try {
                        byte[] chunk = new byte[1 << 20];
                        for (int i = 0; i < 512; i++) {
                            client.getOutputStream().write(chunk);
                        }
                        return null;
                    } catch (IOException e) {
                        return e;
                    }
                });
                assertThat(watchdog.closeIfStalled()).as("no exchange running").isFalse();
                watchdog.begin();
                assertThat(watchdog.closeIfStalled()).as("within the timeout").isFalse();
                Thread.sleep(500);
                assertThat(writer).as("the write is blocked").isNotDone();

                assertThat(watchdog.closeIfStalled()).isTrue();
                assertThat(writer.get(5, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
                assertThat(client.isClosed()).isTrue();
            }
        }
    }

    @Test
    void jakartaMailMakesItsSocketsThroughTheWatchdog() throws Exception {
        SmtpWatchdog watchdog = new SmtpWatchdog(Duration.ofMillis(50));
        try (ServerSocket relay = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // A relay that greets and says yes to everything, enough for a connect.
            CompletableFuture.runAsync(() -> {
                try (Socket s = relay.accept()) {
                    var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream()));
                    var out = s.getOutputStream();
                    out.write("220 relay\r\n".getBytes());
                    while (in.readLine() != null) {
                        out.write("250 ok\r\n".getBytes());
                    }
                } catch (IOException closed) {
                    // the client went away
                }
            });
            Properties properties = new Properties();
            properties.put("mail.smtp.socketFactory", watchdog);
            Transport transport = Session.getInstance(properties).getTransport("smtp");
            transport.connect("127.0.0.1", relay.getLocalPort(), null, null);
            assertThat(transport.isConnected()).isTrue();

            watchdog.begin();
            Thread.sleep(100);
            assertThat(watchdog.closeIfStalled()).as("the watchdog holds the transport's socket").isTrue();
            assertThat(transport.isConnected()).isFalse();
        }
    }

    @Test
    void anExchangeThatEndedIsNeverClosed() throws Exception {
        SmtpWatchdog watchdog = new SmtpWatchdog(Duration.ofMillis(50));
        try (ServerSocket relay = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Socket client = watchdog.createSocket(InetAddress.getLoopbackAddress(), relay.getLocalPort());
            watchdog.begin();
            watchdog.end();
            Thread.sleep(100);
            assertThat(watchdog.closeIfStalled()).isFalse();
            assertThat(client.isClosed()).isFalse();
            client.close();
        }
    }
}
