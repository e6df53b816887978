package dev.herald.ops;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.config.ConfigMapping;

/**
 * The pods alive, in the pod table: each pod writes its heartbeat every few seconds. Send limits are
 * shared among the pods alive; the leases of a pod whose heartbeat stopped are taken back by the others.
 */
@ApplicationScoped
public class Pods {

    private static final Logger LOG = Logger.getLogger(Pods.class);

    @ConfigMapping(prefix = "herald.pods")
    public interface PodsConfig {
        /** How often a pod writes its heartbeat. */
        Duration heartbeat();

        /**
         * A pod silent this long is presumed dead: its leases are taken back. Long enough for a garbage
         * collection or a database restart; every second of it delays recovery after a pod is lost.
         */
        Duration presumedDeadAfter();

        /**
         * What this pod does: ALL, or API only (no sending, no dispatch loop; set by the "api" profile,
         * QUARKUS_PROFILE=prod,api) or WORKER (QUARKUS_PROFILE=prod,worker), so that a large installation
         * serves support lookups from pods that do not send.
         */
        @io.smallrye.config.WithDefault("ALL")
        Role role();
    }

    public enum Role {
        ALL,
        API,
        WORKER
    }

    /** Whether this pod sends and drives notices (not an API-only pod). */
    public boolean sends() {
        return config.role() != Role.API;
    }

    /** Whether this pod serves the API and the console (not a worker pod). */
    public boolean servesApi() {
        return config.role() != Role.WORKER;
    }

    private final AgroalDataSource dataSource;
    private final PodsConfig config;
    private final String id;
    private volatile int alive = 1;
    /** Since when this pod's heartbeats have all been written; null while the last one failed. */
    private volatile Long beatingSinceNanos;

    Pods(AgroalDataSource dataSource, PodsConfig config) {
        this.dataSource = dataSource;
        this.config = config;
        String host = System.getenv().getOrDefault("HOSTNAME", "pod");
        this.id = host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public String id() {
        return id;
    }

    /** Pods whose heartbeat is recent, this one included. */
    public int alive() {
        return alive;
    }

    public Duration presumedDeadAfter() {
        return config.presumedDeadAfter();
    }

    /**
     * Whether this pod may judge the others dead: only once its own heartbeats have been written without
     * a gap for the whole presumed-dead delay. After a database outage every pod looks silent; the one
     * that reconnects first must not take the others' work while they reconnect too.
     */
    public boolean mayJudgeOthers() {
        Long since = beatingSinceNanos;
        return since != null && System.nanoTime() - since >= config.presumedDeadAfter().toNanos();
    }

    void start(@Observes StartupEvent event) {
        beat();
    }

    @Scheduled(every = "${herald.pods.heartbeat}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void beat() {
        if (!sends()) {
            return; // an API-only pod holds no leases and takes no share of the send limits
        }
        try (Connection connection = dataSource.getConnection()) {
            Jdbc.update(connection, """
                    INSERT INTO pod (id, seen_at) VALUES (?, now())
                    ON CONFLICT (id) DO UPDATE SET seen_at = now()""", id);
            // Rows of pods long gone; their leases were taken back well before.
            Jdbc.update(connection, "DELETE FROM pod WHERE seen_at < now() - 10 * make_interval(secs => ?)",
                    (double) config.presumedDeadAfter().toSeconds());
            alive = Math.max(1, Jdbc.queryOne(connection, Long.class,
                    "SELECT count(*) FROM pod WHERE seen_at > now() - 3 * make_interval(secs => ?)",
                    config.heartbeat().toMillis() / 1000.0).intValue());
            if (beatingSinceNanos == null) {
                beatingSinceNanos = System.nanoTime();
            }
        } catch (SQLException e) {
            beatingSinceNanos = null;
            LOG.warnf("Cannot write this pod's heartbeat: %s", e.getMessage());
        }
    }

    void leave(@Observes ShutdownEvent event) {
        try (Connection connection = dataSource.getConnection()) {
            Jdbc.update(connection, "DELETE FROM pod WHERE id = ?", id);
        } catch (SQLException e) {
            LOG.debug("Could not leave the pod list; the row expires by itself", e);
        }
    }
}
