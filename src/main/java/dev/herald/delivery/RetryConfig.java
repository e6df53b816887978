package dev.herald.delivery;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;

/** How a delivery that fails for a reason of its own (a 4xx for that recipient) is tried again. */
@ConfigMapping(prefix = "herald.retry")
public interface RetryConfig {

    /** Attempts before a delivery that keeps failing transiently is FAILED. */
    int maxAttempts();

    /** First retry delay; it doubles with each attempt, with jitter, up to maxDelay. */
    Duration baseDelay();

    Duration maxDelay();

    /**
     * Deferrals for the sender's pace a delivery takes without an attempt counted; past them each is a
     * counted retry, so that a reply taken for such a deferral by mistake cannot postpone it forever.
     */
    int maxDeferrals();
}
