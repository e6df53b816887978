package dev.herald.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import dev.herald.dispatch.DispatchConfig;

/** Exponential backoff with jitter, up to a number of attempts; then the delivery fails for good. */
@ApplicationScoped
public class RetryPolicy {

    private final DispatchConfig config;

    RetryPolicy(DispatchConfig config) {
        this.config = config;
    }

    /** @param attempts attempts made so far, the one that just failed included */
    Outcome.Resolved resolve(Outcome outcome, int attempts, Instant now) {
        return switch (outcome.kind()) {
            case SENT -> new Outcome.Resolved(outcome.deliveryId(), DeliveryStatus.SENT, null, null, null);
            case FAILED -> new Outcome.Resolved(outcome.deliveryId(), DeliveryStatus.FAILED, null, outcome.detail(),
                    "FAILED");
            case RETRY -> attempts >= config.maxAttempts()
                    ? new Outcome.Resolved(outcome.deliveryId(), DeliveryStatus.FAILED, null,
                            "gave up after " + attempts + " attempts; last: " + outcome.detail(), "FAILED")
                    : new Outcome.Resolved(outcome.deliveryId(), DeliveryStatus.PENDING,
                            now.plus(delayAfter(attempts)), outcome.detail(), "RETRY_SCHEDULED");
        };
    }

    /** base × 2^(attempts-1), capped, then a random point in its upper half so that retries do not arrive together. */
    Duration delayAfter(int attempts) {
        long base = config.retryBaseDelay().toMillis();
        long capped = Math.min(config.retryMaxDelay().toMillis(), base << Math.min(attempts - 1, 20));
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }
}
