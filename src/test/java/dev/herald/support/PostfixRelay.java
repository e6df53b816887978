package dev.herald.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Postfix (Debian's package, which {@code bin/services --browser} installs) on a free local port:
 * a relay that advertises PIPELINING (RFC 2920), as every large MTA does, and answers RCPT TO inside a
 * pipelined group as Postfix answers it: {@code reject-*} 550 and {@code jammed-*} 451 from an access map.
 * What it accepts it relays to {@code downstreamPort}, where a test can read it back. Its own instance
 * (configuration, queue and data directories under {@code target/}) runs in the foreground and is stopped
 * on close; the system's Postfix is not touched.
 */
public final class PostfixRelay implements AutoCloseable {

    private static final Duration START = Duration.ofSeconds(30);

    private final Path config;
    private final Process process;
    private final int port;

    private PostfixRelay(Path config, Process process, int port) {
        this.config = config;
        this.process = process;
        this.port = port;
    }

    public static PostfixRelay start(int downstreamPort) throws IOException, InterruptedException {
        int port = FreePort.find();
        Path home = Files.createTempDirectory(Path.of("target"), "postfix-").toAbsolutePath();
        // Postfix's own user reads below it after giving up root.
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(home.resolve("queue"));
        Path config = Files.createDirectories(home.resolve("etc"));
        Path data = Files.createDirectories(home.resolve("data"));
        UserPrincipal postfix = home.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postfix");
        Files.setOwner(data, postfix);
        Files.writeString(config.resolve("recipients"), """
                /^reject-/ 550 5.1.1 no such user
                /^jammed-/ 451 4.3.2 try again later
                """);
        Files.writeString(config.resolve("main.cf"), String.join("\n", List.of(
                "compatibility_level = 3.6",
                "queue_directory = " + home.resolve("queue"),
                "data_directory = " + data,
                "mail_owner = postfix",
                "setgid_group = postdrop",
                "inet_interfaces = 127.0.0.1",
                "inet_protocols = ipv4",
                "myhostname = relay.herald.test",
                "mydestination =",
                "mynetworks = 127.0.0.0/8",
                "relayhost = [127.0.0.1]:" + downstreamPort,
                "smtpd_recipient_restrictions = check_recipient_access regexp:" + config.resolve("recipients")
                        + ", permit_mynetworks, reject",
                "smtp_tls_security_level = none",
                "smtpd_tls_security_level = none",
                "alias_maps =",
                "alias_database =",
                "local_recipient_maps =",
                "biff = no",
                "maillog_file = /dev/stdout")) + "\n");
        // Debian's master.cf less the chroots (an instance under target/ has no /etc inside its queue).
        Files.writeString(config.resolve("master.cf"), String.join("\n", List.of(
                "127.0.0.1:" + port + " inet n - n - - smtpd",
                "pickup unix n - n 60 1 pickup",
                "cleanup unix n - n - 0 cleanup",
                "qmgr unix n - n 300 1 qmgr",
                "rewrite unix - - n - - trivial-rewrite",
                "bounce unix - - n - 0 bounce",
                "defer unix - - n - 0 bounce",
                "trace unix - - n - 0 bounce",
                "verify unix - - n - 1 verify",
                "flush unix n - n 1000? 0 flush",
                "proxymap unix - - n - - proxymap",
                "smtp unix - - n - - smtp",
                "relay unix - - n - - smtp",
                "error unix - - n - - error",
                "retry unix - - n - - error",
                "discard unix - - n - - discard",
                "anvil unix - - n - 1 anvil",
                "scache unix - - n - 1 scache",
                "postlog unix-dgram n - n - 1 postlogd")) + "\n");
        Process process = new ProcessBuilder("postfix", "-c", config.toString(), "start-fg")
                .redirectErrorStream(true).redirectOutput(home.resolve("postfix.log").toFile()).start();
        PostfixRelay relay = new PostfixRelay(config, process, port);
        long deadline = System.nanoTime() + START.toNanos();
        while (!relay.answers()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                relay.close();
                throw new IllegalStateException("Postfix did not start; see " + home.resolve("postfix.log"));
            }
            Thread.sleep(100);
        }
        return relay;
    }

    public int port() {
        return port;
    }

    private boolean answers() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        new ProcessBuilder("postfix", "-c", config.toString(), "stop").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
