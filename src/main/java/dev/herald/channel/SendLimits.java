package dev.herald.channel;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.herald.delivery.Channel;
import dev.herald.ops.Jdbc;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * Send limits per channel and relay for the whole fleet, kept in send_limit and changeable at
 * runtime. Every pod refreshes its heartbeat and reads the limits every few seconds, and paces its
 * senders at its share: the limit divided by the pods alive.
 */
@ApplicationScoped
public class SendLimits {

    private static final Logger LOG = Logger.getLogger(SendLimits.class);

    /** A fleet-wide limit; {@code configured} is false while the defaults from the configuration apply. */
    public record FleetLimit(double messagesPerSecond, int connections, boolean configured) {
    }

    /** What a channel's relay is held to, and this pod's part of it. */
    public record SendLimitView(Channel channel, String relay, FleetLimit limit, int pods, double podMessagesPerSecond,
            double podCurrentMessagesPerSecond, int podConnections) {
    }

    private record Relay(Channel channel, String name, FleetLimit defaults, int maxConnections, Throttle throttle) {
    }

    private static final String UPSERT = """
            INSERT INTO send_limit AS l (channel, relay, messages_per_second, connections)
            VALUES (?::delivery_channel, ?, ?, ?)
            ON CONFLICT (channel, relay) DO UPDATE
               SET messages_per_second = excluded.messages_per_second, connections = excluded.connections,
                   updated_at = now()
            """;

    private final AgroalDataSource dataSource;
    private final String podId = UUID.randomUUID().toString();
    private final Map<Channel, Relay> relays = new ConcurrentHashMap<>();
    private volatile int pods = 1;

    private final Duration refreshEvery;

    SendLimits(AgroalDataSource dataSource, @ConfigProperty(name = "herald.limits.refresh") Duration refreshEvery) {
        this.dataSource = dataSource;
        this.refreshEvery = refreshEvery;
    }

    /**
     * The throttle of a channel's relay, made on first use.
     *
     * @param defaults the fleet's limit until one is set at runtime
     * @param maxConnections connections this pod has, whatever the limit
     */
    public Throttle register(Channel channel, String relay, FleetLimit defaults, int maxConnections) {
        return relays.computeIfAbsent(channel, c -> new Relay(c, relay, defaults, maxConnections,
                new Throttle(defaults.messagesPerSecond(), maxConnections))).throttle();
    }

    public SendLimitView view(Channel channel) {
        Relay relay = relay(channel);
        return new SendLimitView(channel, relay.name(), read(relay), pods, relay.throttle().share(), relay.throttle().current(),
                relay.throttle().connections());
    }

    /** Sets the fleet's limit; this pod applies it now, the others at their next refresh. */
    public SendLimitView set(Channel channel, double messagesPerSecond, int connections) {
        Relay relay = relay(channel);
        try (Connection connection = dataSource.getConnection()) {
            Jdbc.update(connection, UPSERT, channel.name(), relay.name(), messagesPerSecond, connections);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot store the send limit", e);
        }
        LOG.infof("Send limit for %s via %s set to %.1f messages/s over %d connections", channel, relay.name(),
                messagesPerSecond, connections);
        refresh();
        return view(channel);
    }

    @Scheduled(every = "${herald.limits.refresh}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try (Connection connection = dataSource.getConnection()) {
            Jdbc.update(connection, """
                    INSERT INTO pod (id, seen_at) VALUES (?, now())
                    ON CONFLICT (id) DO UPDATE SET seen_at = now()""", podId);
            // A pod silent for three refreshes is gone; its share goes to the others.
            Jdbc.update(connection, "DELETE FROM pod WHERE seen_at < now() - make_interval(secs => ?)",
                    3 * refreshEvery.toSeconds());
            pods = Math.max(1, Jdbc.queryOne(connection, Long.class, "SELECT count(*) FROM pod").intValue());
        } catch (SQLException e) {
            LOG.warn("Cannot refresh the send limits; the last ones stay in force", e);
            return;
        }
        for (Relay relay : relays.values()) {
            FleetLimit limit = read(relay);
            // Until a limit is set, each pod uses all its connections.
            int connections = limit.configured()
                    ? Math.max(1, Math.min(relay.maxConnections(), limit.connections() / pods))
                    : relay.maxConnections();
            relay.throttle().share(limit.messagesPerSecond() / pods, connections);
        }
    }

    void leave(@Observes ShutdownEvent event) {
        try (Connection connection = dataSource.getConnection()) {
            Jdbc.update(connection, "DELETE FROM pod WHERE id = ?", podId);
        } catch (SQLException e) {
            LOG.debug("Could not leave the pod list; the row expires by itself", e);
        }
    }

    private FleetLimit read(Relay relay) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(
                        "SELECT messages_per_second, connections FROM send_limit WHERE channel = ?::delivery_channel AND relay = ?")) {
            statement.setString(1, relay.channel().name());
            statement.setString(2, relay.name());
            try (ResultSet row = statement.executeQuery()) {
                return row.next() ? new FleetLimit(row.getDouble(1), row.getInt(2), true) : relay.defaults();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the send limit", e);
        }
    }

    private Relay relay(Channel channel) {
        Relay relay = relays.get(channel);
        if (relay == null) {
            throw new IllegalStateException("No relay serves " + channel);
        }
        return relay;
    }
}
