package dev.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

import dev.herald.standin.ApnsStandIn;
import dev.herald.standin.FcmStandIn;

/**
 * The demo's push providers: the FCM and APNs stand-ins on loopback. Writes Herald's push
 * configuration as an environment file, and appends what each device would display to a log.
 *
 * <pre>java … dev.herald.bench.PushSinks --dir demo/push</pre>
 */
public final class PushSinks {

    private PushSinks() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length == 2 && args[0].equals("--dir") ? args[1] : "demo/push");
        Files.createDirectories(dir);
        Path log = dir.resolve("received.log");
        Files.writeString(log, "");
        FcmStandIn fcm = new FcmStandIn(dir, true);
        ApnsStandIn apns = new ApnsStandIn(dir, true);
        fcm.onReceived(m -> append(log, "FCM  " + m.token() + "  [" + m.title() + "] " + m.body()));
        apns.onReceived(m -> append(log, "APNS " + m.token() + "  (" + m.topic() + ") " + m.payload()));
        Map<String, String> configuration = new HashMap<>(fcm.configuration());
        configuration.putAll(apns.configuration());
        StringBuilder env = new StringBuilder();
        configuration.forEach((key, value) -> env.append(key.toUpperCase().replace('.', '_').replace('-', '_'))
                .append('=').append(value).append('\n'));
        Files.writeString(dir.resolve("herald-push.env"), env);
        System.out.println("FCM stand-in at " + fcm.endpoint() + ", APNs stand-in at localhost:" + apns.port()
                + "; configuration in " + dir.resolve("herald-push.env"));
        Thread.currentThread().join();
    }

    private static synchronized void append(Path log, String line) {
        try {
            Files.writeString(log, line + System.lineSeparator(), StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("Cannot write " + log + ": " + e.getMessage());
        }
    }
}
