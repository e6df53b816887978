package dev.herald.channel;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.delivery.DeliveryChannel;
import dev.herald.delivery.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * What sending looks like, in meters with few tags: deliveries by channel and outcome, providers'
 * answers by code, and how long a provider takes to answer one message. Never a customer, address or
 * notice id in a tag.
 */
@ApplicationScoped
public class ChannelMetrics {

    private final MeterRegistry registry;
    /** Meters by their tags: registering one is a lookup dear enough to show in a profile of every send. */
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<DeliveryChannel, Timer> timers = new ConcurrentHashMap<>();

    ChannelMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** An outcome a worker reported: sent, retry (a transient failure) or failed. */
    public void outcome(DeliveryChannel channel, Outcome.Kind kind) {
        counters.computeIfAbsent(channel.key() + " outcome " + kind, key -> Counter.builder("herald.deliveries")
                .description("Delivery attempts by channel and outcome").tag("channel", channel.key())
                .tag("outcome", kind.name().toLowerCase()).register(registry)).increment();
    }

    /**
     * A provider's answer to one message: {@code code} is the SMTP reply code, or the push verdict
     * (accepted, token_gone, rejected, retry, provider_down, credentials_refused, slow_down).
     */
    public void answered(DeliveryChannel channel, String code, Duration took) {
        counters.computeIfAbsent(channel.key() + " code " + code, key -> Counter.builder("herald.provider.answers")
                .description("Providers' answers by code").tag("channel", channel.key()).tag("code", code)
                .register(registry)).increment();
        timers.computeIfAbsent(channel, c -> Timer.builder("herald.send.duration")
                .description("Time a provider took to answer one message").tag("channel", c.key())
                .publishPercentileHistogram().register(registry)).record(took);
    }
}
