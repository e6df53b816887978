package dev.herald.delivery;

import java.util.Map;

/**
 * A notice's deliveries counted by channel and status. {@code ratePerSecond} is the average number of
 * deliveries finished per second since dispatch; {@code etaSeconds} extrapolates it to what remains.
 */
public record Progress(long total, long finished, long remaining, Map<DeliveryStatus, Long> byStatus,
        Map<Channel, Map<DeliveryStatus, Long>> byChannel, Double ratePerSecond, Long etaSeconds) {
}
