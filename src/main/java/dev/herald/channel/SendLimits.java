package dev.herald.channel;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.herald.delivery.DeliveryChannel;
import dev.herald.ops.Jdbc;
import dev.herald.ops.NotFoundException;
import dev.herald.ops.Pods;
import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;

/**
 * Send limits per channel and relay for the whole fleet, kept in send_limit and changeable at
 * runtime. Every pod reads the limits every few seconds and paces its senders at its share: the
 * limit divided by the pods alive.
 */
@ApplicationScoped
public class SendLimits {

    private static final Logger LOG = Logger.getLogger(SendLimits.class);

    /** A fleet-wide limit; {@code configured} is false while the defaults from the configuration apply. */
    public record FleetLimit(double messagesPerSecond, int connections, boolean configured) {
    }

    /** What a channel's relay is held to, and this pod's part of it. */
    public record SendLimitView(DeliveryChannel channel, String relay, FleetLimit limit, int pods, double podMessagesPerSecond,
            double podCurrentMessagesPerSecond, int podConnections) {
    }

    private record Relay(DeliveryChannel channel, String name, FleetLimit defaults, int maxConnections, Throttle throttle) {
    }

    private static final String UPSERT = """
            INSERT INTO send_limit AS l (channel, relay, messages_per_second, connections)
            VALUES (?::delivery_channel, ?, ?, ?)
            ON CONFLICT (channel, relay) DO UPDATE
               SET messages_per_second = excluded.messages_per_second, connections = excluded.connections,
                   updated_at = now()
            """;

    private final AgroalDataSource dataSource;
    private final Pods pods;
    private final Map<DeliveryChannel, Relay> relays = new ConcurrentHashMap<>();

    SendLimits(AgroalDataSource dataSource, Pods pods) {
        this.dataSource = dataSource;
        this.pods = pods;
    }

    /**
     * The throttle of a channel's relay, made on first use.
     *
     * @param defaults the fleet's limit until one is set at runtime
     * @param maxConnections connections this pod has, whatever the limit
     */
    public Throttle register(DeliveryChannel channel, String relay, FleetLimit defaults, int maxConnections) {
        return relays.computeIfAbsent(channel, c -> new Relay(c, relay, defaults, maxConnections,
                new Throttle(defaults.messagesPerSecond(), maxConnections))).throttle();
    }

    public SendLimitView view(DeliveryChannel channel) {
        Relay relay = relay(channel);
        return new SendLimitView(channel, relay.name(), read(relay), pods.alive(), relay.throttle().share(), relay.throttle().current(),
                relay.throttle().connections());
    }

    /** Sets the fleet's limit; this pod applies it now, the others at their next refresh. */
    public SendLimitView set(DeliveryChannel channel, double messagesPerSecond, int connections) {
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
        int alive = pods.alive();
        for (Relay relay : relays.values()) {
            FleetLimit limit;
            try {
                limit = read(relay);
            } catch (IllegalStateException e) {
                LOG.warnf("Cannot refresh the send limits (%s); the last ones stay in force", e.getMessage());
                return;
            }
            // Until a limit is set, each pod uses all its connections.
            int connections = limit.configured()
                    ? Math.max(1, Math.min(relay.maxConnections(), limit.connections() / alive))
                    : relay.maxConnections();
            relay.throttle().share(limit.messagesPerSecond() / alive, connections);
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

    private Relay relay(DeliveryChannel channel) {
        Relay relay = relays.get(channel);
        if (relay == null) {
            throw new NotFoundException("send limit of channel", channel.key());
        }
        return relay;
    }
}
