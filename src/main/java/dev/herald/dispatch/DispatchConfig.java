package dev.herald.dispatch;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;

@ConfigMapping(prefix = "herald.dispatch")
public interface DispatchConfig {

    /** How often each pod looks for notices to plan, publish, sweep and complete. */
    Duration tick();

    /** Delivery ids per broker message. */
    int batchSize();

    /** Customers planned per transaction. */
    int planChunk();

    /** Deliveries of one notice handed to the broker but not finished, at most: the back-pressure window. */
    int maxInFlight();

    /** Attempts before a delivery that keeps failing transiently is FAILED. */
    int maxAttempts();

    /** First retry delay; it doubles with each attempt, with jitter, up to retryMaxDelay. */
    Duration retryBaseDelay();

    Duration retryMaxDelay();

    /** A QUEUED delivery untouched this long is published again (its message or its pod was lost). */
    Duration requeueAfter();

    /** How often a notice's rows are scanned for due retries and for QUEUED rows gone stale. */
    Duration rescanInterval();

    /** How long a publish waits for the broker's confirm before the window is left to the sweeper. */
    Duration publishTimeout();

    /** How long a pod may take to see that a notice was paused or cancelled. */
    Duration controlPoll();
}
