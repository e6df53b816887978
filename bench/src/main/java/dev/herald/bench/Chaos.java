package dev.herald.bench;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.herald.standin.FcmStandIn;

/**
 * Breaks things on purpose while Herald sends a notice to N customers by email, and by push to a
 * tenth of them (against the FCM stand-in), then counts what was lost and what was sent twice. Each scenario sends a fresh notice to a fresh counting SMTP sink, and
 * disrupts it once a third of the emails are out:
 * <ul>
 * <li>kill -9 Herald, start it again;</li>
 * <li>SIGTERM Herald (a graceful stop, as Kubernetes does), start it again;</li>
 * <li>stop RabbitMQ for 30 s, start it again;</li>
 * <li>restart PostgreSQL.</li>
 * </ul>
 * Exits non-zero when a delivery is lost or left unfinished, or when more were sent twice than the
 * batches in flight on the disrupted pod hold (see the README's delivery guarantees). Needs root
 * (rabbitmqctl, pg_ctlcluster).
 *
 * <pre>bench/chaos --customers 100000</pre>
 */
public final class Chaos {

    private interface Disruption {
        void apply(Herald herald) throws Exception;
    }

    private static final Map<String, Disruption> SCENARIOS = new LinkedHashMap<>();

    static {
        SCENARIOS.put("kill -9 Herald", herald -> {
            herald.kill();
            herald.start(false);
        });
        SCENARIOS.put("SIGTERM Herald", herald -> {
            herald.stop();
            herald.start(false);
        });
        SCENARIOS.put("RabbitMQ down 30 s", herald -> {
            run("rabbitmqctl", "-q", "stop_app");
            Thread.sleep(30_000);
            run("rabbitmqctl", "-q", "start_app");
        });
        SCENARIOS.put("PostgreSQL restart", herald -> run("sh", "-c",
                "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | sort -V | tail -n 1) main restart"));
    }

    /*
     * Herald's defaults, given to it explicitly so that the bounds below are those of the run: the batch
     * size, herald.dispatch.record-every, and for push the batches sent at once and the messages of a
     * batch in flight.
     */
    private static final int BATCH_SIZE = 250;
    private static final int RECORD_EVERY = 100;
    private static final int PUSH_CONNECTIONS = 4;
    private static final int PUSH_IN_FLIGHT = 64;

    private final Options options;
    private final long customers;
    /** Per push connection: the messages in flight, the outcomes waiting for the next write and those of the write under way. */
    private final long pushDuplicateBound;
    /**
     * A pod killed mid-send sends again what it had not recorded: per connection, the outcomes waiting
     * for the next write, those of the write under way, and the message on the wire.
     */
    private final long duplicateBound;

    private Chaos(Options options) {
        this.options = options;
        this.customers = options.customers();
        this.duplicateBound = (long) options.smtpConnections() * (2 * RECORD_EVERY + 1);
        this.pushDuplicateBound = (long) PUSH_CONNECTIONS * (PUSH_IN_FLIGHT + 2 * RECORD_EVERY);
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args, 100_000, 18081);
        Files.createDirectories(options.out());
        System.exit(new Chaos(options).run() ? 0 : 1);
    }

    private boolean run() throws Exception {
        Herald loader = new Herald(options, 1, options.out().resolve("chaos-herald.log"), Map.of());
        loader.start(true);
        loader.importCustomers(customers, options.pushCustomers());
        loader.stop();

        List<Map<String, Object>> results = new ArrayList<>();
        boolean guaranteesHeld = true;
        for (Map.Entry<String, Disruption> scenario : SCENARIOS.entrySet()) {
            Map<String, Object> result = scenario(scenario.getKey(), scenario.getValue());
            results.add(result);
            guaranteesHeld &= (long) result.get("lost") == 0 && (long) result.get("unfinished") == 0
                    && (long) result.get("duplicates") <= duplicateBound
                    && (long) result.get("pushLost") == 0 && (long) result.get("pushDuplicates") <= pushDuplicateBound;
        }
        System.out.println();
        System.out.println("| scenario | emails | distinct | duplicates | lost | pushes | distinct | duplicates | lost"
                + " | unfinished | completed after disruption |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (Map<String, Object> r : results) {
            System.out.printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s s |%n", r.get("scenario"),
                    r.get("emailsAtSmtp"), r.get("distinctRecipients"), r.get("duplicates"), r.get("lost"),
                    r.get("pushesAccepted"), r.get("pushDistinct"), r.get("pushDuplicates"), r.get("pushLost"),
                    r.get("unfinished"), r.get("completedSecondsAfterDisruption"));
        }
        String json = Herald.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(
                Map.of("customers", customers, "pushCustomers", options.pushCustomers(), "duplicateBound", duplicateBound,
                        "pushDuplicateBound", pushDuplicateBound, "scenarios", results));
        System.out.println();
        System.out.println(json);
        Files.writeString(options.out().resolve("chaos-" + customers + ".json"), json);
        System.out.println(guaranteesHeld ? "[chaos] nothing lost or unfinished; duplicates within " + duplicateBound
                + " (email) and " + pushDuplicateBound + " (push)"
                : "[chaos] FAILED: a delivery was lost or unfinished, or duplicates exceeded " + duplicateBound + " (email) or "
                        + pushDuplicateBound + " (push)");
        return guaranteesHeld;
    }

    private Map<String, Object> scenario(String name, Disruption disruption) throws Exception {
        System.out.println("[chaos] " + name);
        try (CountingSink sink = new CountingSink(); FcmStandIn fcm = new FcmStandIn(options.out(), false)) {
            Herald herald = herald(sink.port(), fcm);
            herald.start(false);
            long notice = herald.createEmailAndPushNotice();
            herald.dispatch(notice);
            await(() -> sink.accepted() >= customers / 3, Duration.ofMinutes(5), "a third of the emails");
            long disrupted = System.nanoTime();
            disruption.apply(herald);
            await(() -> status(herald, notice).equals("COMPLETED"), Duration.ofMinutes(15), "the notice to complete");
            double after = Math.round((System.nanoTime() - disrupted) / 1e7) / 100.0;
            herald.stop();

            Map<String, Object> result = new LinkedHashMap<>();
            result.put("scenario", name);
            result.put("emailsAtSmtp", sink.accepted());
            result.put("distinctRecipients", (long) sink.distinctRecipients());
            result.put("duplicates", sink.accepted() - sink.distinctRecipients());
            result.put("lost", customers - sink.distinctRecipients());
            result.put("pushesAccepted", fcm.accepted());
            result.put("pushDistinct", (long) fcm.distinctAccepted());
            result.put("pushDuplicates", fcm.accepted() - fcm.distinctAccepted());
            result.put("pushLost", options.pushCustomers() - fcm.distinctAccepted());
            try (Connection db = herald.database(); PreparedStatement statement = db.prepareStatement(
                    "SELECT count(*) FILTER (WHERE status IN ('PENDING', 'QUEUED')) FROM delivery WHERE notice_id = ?")) {
                statement.setLong(1, notice);
                try (ResultSet row = statement.executeQuery()) {
                    row.next();
                    result.put("unfinished", row.getLong(1));
                }
            }
            result.put("completedSecondsAfterDisruption", after);
            System.out.println("[chaos] " + result);
            return result;
        }
    }

    private Herald herald(int smtpPort, FcmStandIn fcm) throws Exception {
        Map<String, String> environment = new HashMap<>(Herald.environment(fcm));
        environment.put("HERALD_DISPATCH_BATCH_SIZE", String.valueOf(BATCH_SIZE));
        environment.put("HERALD_DISPATCH_RECORD_EVERY", String.valueOf(RECORD_EVERY));
        environment.put("HERALD_PUSH_CONNECTIONS", String.valueOf(PUSH_CONNECTIONS));
        environment.put("HERALD_PUSH_IN_FLIGHT", String.valueOf(PUSH_IN_FLIGHT));
        // A lost broker message is published again after this delay (5 minutes in production).
        environment.put("HERALD_DISPATCH_REQUEUE_AFTER", "30s");
        return new Herald(options, smtpPort, options.out().resolve("chaos-herald.log"), environment);
    }

    private static String status(Herald herald, long notice) {
        try {
            JsonNode view = herald.notice(notice);
            return view.get("status").asText();
        } catch (Exception unavailable) {
            return "UNAVAILABLE";
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(Condition condition, Duration limit, String what) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Waited " + limit + " for " + what);
            }
            Thread.sleep(200);
        }
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).inheritIO().start();
        if (process.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed");
        }
    }
}
