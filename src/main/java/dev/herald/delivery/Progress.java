package dev.herald.delivery;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * A notice's deliveries counted by channel and status. {@code ratePerSecond} is the average number of
 * deliveries finished per second since dispatch; {@code etaSeconds} extrapolates it to what remains.
 * {@code pausedChannels} lists the notice's channels that send nothing now, and why.
 */
public record Progress(long total, long finished, long remaining, Map<DeliveryStatus, Long> byStatus,
        Map<DeliveryChannel, Map<DeliveryStatus, Long>> byChannel, Double ratePerSecond, Long etaSeconds,
        List<PausedChannel> pausedChannels) {

    /** A channel whose provider cannot be reached: its deliveries wait, none fails for it. */
    public record PausedChannel(DeliveryChannel channel, OffsetDateTime since, String reason, String message) {
    }

    public Progress withPausedChannels(List<PausedChannel> paused) {
        return new Progress(total, finished, remaining, byStatus, byChannel, ratePerSecond, etaSeconds, List.copyOf(paused));
    }
}
