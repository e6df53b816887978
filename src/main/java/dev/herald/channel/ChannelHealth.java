package dev.herald.channel;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.config.ConfigMapping;

import dev.herald.delivery.DeliveryChannel;
import dev.herald.delivery.Progress;
import dev.herald.ops.Jdbc;

/**
 * Which channels are down for the whole fleet (channel_state): a channel whose provider cannot be
 * reached sends nothing, so that an outage does not turn into failed deliveries. Every pod that sends
 * on a channel probes it while it is down, and the first answer brings it back.
 */
@ApplicationScoped
public class ChannelHealth {

    private static final Logger LOG = Logger.getLogger(ChannelHealth.class);

    @ConfigMapping(prefix = "herald.channels")
    public interface HealthConfig {
        /** How often a down channel's provider is probed, and how stale a pod's view of channel states may be. */
        Duration probeInterval();
    }

    /** Why a channel is down, and since when. */
    public record Down(DeliveryChannel channel, OffsetDateTime since, String reason) {

        /** As the progress answer shows it: "email channel paused: SMTP relay … unreachable since 2026-11-26T14:02:11Z". */
        public Progress.PausedChannel toPaused() {
            return new Progress.PausedChannel(channel, since, reason,
                    channel.key() + " channel paused: " + reason + " since " + since);
        }
    }

    private final AgroalDataSource dataSource;
    private final Instance<ChannelSender> senders;
    private final HealthConfig config;
    private volatile Map<DeliveryChannel, Down> down = Map.of();
    private volatile long readAtNanos;
    private volatile boolean stale = true;

    ChannelHealth(AgroalDataSource dataSource, Instance<ChannelSender> senders, HealthConfig config,
            MeterRegistry registry) {
        this.dataSource = dataSource;
        this.senders = senders;
        this.config = config;
        for (DeliveryChannel channel : DeliveryChannel.values()) {
            Gauge.builder("herald.channel.up", () -> isUp(channel) ? 1 : 0)
                    .description("1 while the channel sends, 0 while its provider is unreachable")
                    .tag("channel", channel.key())
                    .register(registry);
        }
    }

    public boolean isUp(DeliveryChannel channel) {
        return !states().containsKey(channel);
    }

    public Optional<Down> down(DeliveryChannel channel) {
        return Optional.ofNullable(states().get(channel));
    }

    /** The channel's provider cannot be reached: stop sending on it until a probe succeeds. */
    public void markDown(DeliveryChannel channel, String reason) {
        if (write("INSERT INTO channel_state (channel, down_since, reason) VALUES (?::delivery_channel, now(), ?)"
                + " ON CONFLICT (channel) DO NOTHING", channel.name(), reason) > 0) {
            LOG.warnf("%s channel paused: %s; probing every %s", channel.key(), reason, config.probeInterval());
        }
    }

    @Scheduled(every = "${herald.channels.probe-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void probe() {
        stale = true;
        for (ChannelSender sender : senders) {
            if (!isUp(sender.channel()) && sender.probe()
                    && write("DELETE FROM channel_state WHERE channel = ?::delivery_channel", sender.channel().name()) > 0) {
                LOG.infof("%s channel answers again; sending resumes", sender.channel().key());
            }
        }
    }

    private Map<DeliveryChannel, Down> states() {
        if (stale || System.nanoTime() - readAtNanos > config.probeInterval().toNanos()) {
            try (Connection connection = dataSource.getConnection();
                    PreparedStatement statement = connection.prepareStatement(
                            "SELECT channel::text, down_since, reason FROM channel_state");
                    ResultSet rows = statement.executeQuery()) {
                Map<DeliveryChannel, Down> read = new EnumMap<>(DeliveryChannel.class);
                while (rows.next()) {
                    DeliveryChannel channel = DeliveryChannel.valueOf(rows.getString(1));
                    read.put(channel, new Down(channel, rows.getObject(2, OffsetDateTime.class), rows.getString(3)));
                }
                down = read;
                readAtNanos = System.nanoTime();
                stale = false;
            } catch (SQLException e) {
                LOG.debugf(e, "Cannot read the channel states; the last ones stand");
            }
        }
        return down;
    }

    private int write(String sql, Object... params) {
        try (Connection connection = dataSource.getConnection()) {
            stale = true;
            return Jdbc.update(connection, sql, params);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot write the channel state", e);
        }
    }
}
