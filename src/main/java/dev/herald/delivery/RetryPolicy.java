package dev.herald.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

/** Exponential backoff with jitter, up to a number of attempts; then the delivery fails for good. */
@ApplicationScoped
public class RetryPolicy {

    private final RetryConfig config;

    RetryPolicy(RetryConfig config) {
        this.config = config;
    }

    /**
     * @param attempts attempts made so far, the one that just failed included
     * @param deferrals deferrals for the sender's pace before this outcome
     */
    Outcome.Resolved resolve(Outcome outcome, int attempts, int deferrals, Instant now) {
        long id = outcome.deliveryId();
        Outcome.Kind kind = outcome.kind() == Outcome.Kind.POSTPONED && outcome.detail() != null
                && deferrals >= config.maxDeferrals() ? Outcome.Kind.RETRY : outcome.kind();
        return switch (kind) {
            case SENT -> new Outcome.Resolved(id, DeliveryStatus.SENT, null, null, null, outcome.providerMessageId(),
                    outcome.contentSha256(), true, null, false);
            case FAILED -> new Outcome.Resolved(id, DeliveryStatus.FAILED, null, outcome.detail(), "FAILED", null, null,
                    true, null, false);
            // The sender's pace, not the recipient: no attempt counted, so it can never exhaust max-attempts.
            case POSTPONED -> new Outcome.Resolved(id, DeliveryStatus.PENDING, outcome.notBefore(),
                    outcome.detail() == null ? "waiting for the pace of " + outcome.waitingFor()
                            : outcome.detail() + "; sent again at the pace of " + outcome.waitingFor() + ", no attempt counted",
                    outcome.detail() == null ? null : "DEFERRED", null, null, false, outcome.waitingFor(),
                    outcome.detail() != null);
            case RETRY -> {
                if (attempts >= config.maxAttempts()) {
                    yield new Outcome.Resolved(id, DeliveryStatus.FAILED, null,
                            "gave up after " + attempts + " attempts; last: " + outcome.detail(), "FAILED", null, null,
                            true, null, false);
                }
                Instant next = now.plus(delayAfter(attempts));
                if (outcome.notBefore() != null && outcome.notBefore().isAfter(next)) {
                    next = outcome.notBefore();
                }
                yield new Outcome.Resolved(id, DeliveryStatus.PENDING, next, outcome.detail(), "RETRY_SCHEDULED", null, null,
                        true, null, false);
            }
        };
    }

    /** base × 2^(attempts-1), capped, then a random point in its upper half so that retries do not arrive together. */
    Duration delayAfter(int attempts) {
        long base = config.baseDelay().toMillis();
        long capped = Math.min(config.maxDelay().toMillis(), base << Math.min(attempts - 1, 20));
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }
}
