package dev.herald.delivery;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * A notice's deliveries counted by channel and status. {@code ratePerSecond} is the average number of
 * deliveries finished per second since dispatch; {@code etaSeconds} extrapolates it to what remains.
 * {@code pausedChannels} lists the notice's channels that send nothing now, and why;
 * {@code deferringDomains} the receiving domain groups that asked Herald to slow down, and their pace.
 */
public record Progress(long total, long finished, long remaining, Map<DeliveryStatus, Long> byStatus,
        Map<DeliveryChannel, Map<DeliveryStatus, Long>> byChannel, Double ratePerSecond, Long etaSeconds,
        List<PausedChannel> pausedChannels, List<DeferringDomain> deferringDomains) {

    /** A channel whose provider cannot be reached: its deliveries wait, none fails for it. */
    public record PausedChannel(DeliveryChannel channel, OffsetDateTime since, String reason, String message) {
    }

    /**
     * A receiving domain group that deferred Herald for its pace: its mail goes at {@code messagesPerSecond}
     * for the fleet, and none fails for it ("gmail.com deferring: pace 120/s since 2026-12-01T14:02:11Z").
     */
    public record DeferringDomain(String group, double messagesPerSecond, OffsetDateTime since, String lastReply,
            String message) {
    }

    public Progress withPaused(List<PausedChannel> paused, List<DeferringDomain> deferring) {
        return new Progress(total, finished, remaining, byStatus, byChannel, ratePerSecond, etaSeconds, List.copyOf(paused),
                List.copyOf(deferring));
    }
}
