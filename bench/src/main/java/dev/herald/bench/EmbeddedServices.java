package dev.herald.bench;

import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

import org.apache.qpid.server.SystemLauncher;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The demo's PostgreSQL and broker on a machine that has neither and no root to install them: an embedded
 * PostgreSQL (zonky's binaries) and Qpid Broker-J in memory, speaking AMQP 0-9-1 to Herald's RabbitMQ
 * connector. Writes Herald's configuration for them as an environment file and runs until stopped; SIGTERM
 * stops both.
 *
 * <pre>java … dev.herald.bench.EmbeddedServices --dir demo/embedded --postgres-port 15432 --amqp-port 5673</pre>
 */
public final class EmbeddedServices {

    // Stopped in the reverse order of their start, by the shutdown hook.
    private static final Deque<AutoCloseable> STARTED = new ArrayDeque<>();

    private EmbeddedServices() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of("demo/embedded");
        int postgresPort = 15432;
        int amqpPort = 5673;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[++i]);
                case "--postgres-port" -> postgresPort = Integer.parseInt(args[++i]);
                case "--amqp-port" -> amqpPort = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException(
                        "unknown option " + args[i] + "; use --dir DIR --postgres-port N --amqp-port N");
            }
        }
        dir = dir.toAbsolutePath();
        Files.createDirectories(dir);
        Path env = dir.resolve("herald-services.env");
        // bin/demo waits for this file: it appears only once both services accept connections.
        Files.deleteIfExists(env);
        Runtime.getRuntime().addShutdownHook(new Thread(EmbeddedServices::stopAll, "embedded-services-stop"));
        try {
            startPostgres(dir, postgresPort);
            startBroker(dir, amqpPort);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1);
        }
        Files.writeString(env, "QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://127.0.0.1:" + postgresPort + "/herald\n"
                + "RABBITMQ_HOST=127.0.0.1\n" + "RABBITMQ_PORT=" + amqpPort + "\n");
        System.out.println("PostgreSQL on 127.0.0.1:" + postgresPort + " (data in " + dir.resolve("postgres")
                + "), AMQP 0-9-1 broker on 127.0.0.1:" + amqpPort + "; configuration in " + env);
        Thread.currentThread().join();
    }

    private static void startPostgres(Path dir, int port) throws Exception {
        // zonky unpacks its binaries under this directory (java.io.tmpdir otherwise, which another user may own).
        System.setProperty("ot.epg.working-dir", dir.resolve("postgres-binaries").toString());
        // As root, zonky runs initdb and postgres through `unshare -U` (they refuse uid 0); as anyone else directly.
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dir.resolve("postgres"))
                .setCleanDataDirectory(false)
                .setPort(port)
                .setServerConfig("listen_addresses", "127.0.0.1")
                // TCP only: a socket (and its lock file) in /tmp could belong to another user's run.
                .setServerConfig("unix_socket_directories", "")
                .setRegisterShutdownHook(false)
                // slf4j-nop would swallow PostgreSQL's own messages: they go to this process's log instead.
                .setOutputRedirector(Redirect.INHERIT)
                .setErrorRedirector(Redirect.INHERIT)
                .setPGStartupWait(Duration.ofSeconds(60))
                .start();
        started(postgres);
        // The data directory outlives a run, as a system PostgreSQL's would: create only what is missing.
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            // The same two roles as bin/services: herald owns and migrates, herald_app is the service's.
            for (String role : new String[] { "herald", "herald_app" }) {
                statement.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + role + "') THEN "
                        + "CREATE ROLE " + role + " LOGIN PASSWORD '" + role + "'; END IF; END $$");
            }
            statement.execute("DO $$ BEGIN IF NOT pg_has_role('herald', 'herald_app', 'MEMBER') THEN "
                    + "GRANT herald_app TO herald; END IF; END $$");
            if (!statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = 'herald'").next()) {
                statement.execute("CREATE DATABASE herald OWNER herald");
            }
        }
    }

    private static void startBroker(Path dir, int port) throws Exception {
        // Configuration and messages live in memory: every start begins from embedded-broker.json, which accepts
        // guest/guest by PLAIN without TLS (as RabbitMQ does on loopback) and sends the connector's virtual
        // host "/" to the default one.
        SystemLauncher broker = new SystemLauncher();
        broker.startup(Map.of(
                "type", "Memory",
                "initialConfigurationLocation",
                EmbeddedServices.class.getResource("embedded-broker.json").toExternalForm(),
                "context", Map.of("qpid.amqp_port", String.valueOf(port),
                        "qpid.work_dir", dir.resolve("qpid").toString()),
                "startupLoggedToSystemOut", true));
        started(broker::shutdown);
    }

    private static synchronized void started(AutoCloseable service) {
        STARTED.push(service);
    }

    private static synchronized void stopAll() {
        while (!STARTED.isEmpty()) {
            try {
                STARTED.pop().close();
            } catch (Exception e) {
                System.err.println("While stopping: " + e);
            }
        }
        System.out.println("Embedded services stopped");
    }
}
