package dev.herald.channel;

import java.time.Duration;

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

    ChannelMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** An outcome a worker reported: sent, retry (a transient failure) or failed. */
    public void outcome(DeliveryChannel channel, Outcome.Kind kind) {
        Counter.builder("herald.deliveries").description("Delivery attempts by channel and outcome")
                .tag("channel", channel.key()).tag("outcome", kind.name().toLowerCase())
                .register(registry).increment();
    }

    /**
     * A provider's answer to one message: {@code code} is the SMTP reply code, or the push verdict
     * (accepted, token_gone, rejected, retry, provider_down, credentials_refused, slow_down).
     */
    public void answered(DeliveryChannel channel, String code, Duration took) {
        Counter.builder("herald.provider.answers").description("Providers' answers by code")
                .tag("channel", channel.key()).tag("code", code).register(registry).increment();
        Timer.builder("herald.send.duration").description("Time a provider took to answer one message")
                .tag("channel", channel.key()).publishPercentileHistogram().register(registry).record(took);
    }
}
