package dev.herald.dispatch;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;

@ConfigMapping(prefix = "herald.dispatch")
public interface DispatchConfig {

    /** How often each pod looks for notices to plan, publish, sweep and complete. */
    Duration tick();

    /** Delivery ids per broker message. */
    int batchSize();

    /** Customers planned per transaction (at most 100,000: a chunk's deliveries share one id block). */
    int planChunk();

    /** Chunks this pod plans at once; planning is set-based SQL, one chunk per database connection. */
    int planThreads();

    /** Deliveries of one notice and channel handed to the broker but not finished, at most: the back-pressure window. */
    int maxInFlight();

    /** A delivery handed out this long ago, still waiting and held by no worker, is published again. */
    Duration requeueAfter();

    /** How often a notice's rows are scanned for due retries and for deliveries gone stale. */
    Duration rescanInterval();

    /** How long a publish waits for the broker's confirm before the window is left to the sweeper. */
    Duration publishTimeout();

    /** How long a pod may take to see that a notice was paused or cancelled. */
    Duration controlPoll();

    /** A worker records outcomes after this many messages... */
    int recordEvery();

    /** ...or after this long, whichever comes first: a pod killed mid-batch sends again at most what it had not recorded. */
    Duration recordInterval();
}
