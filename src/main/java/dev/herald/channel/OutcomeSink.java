package dev.herald.channel;

import dev.herald.delivery.Outcome;

/** Where a channel reports outcomes as it sends, and learns whether to go on. */
public interface OutcomeSink {

    void report(Outcome outcome);

    /** False once the notice was paused or cancelled, the pod is stopping, or outcomes cannot be recorded. */
    boolean mayContinue();
}
