package dev.herald.delivery;

/** The database enum delivery_status has the same names, in the same order. */
public enum DeliveryStatus {
    /** Planned, or waiting for its next attempt. */
    PENDING,
    /** Handed to the broker. */
    QUEUED,
    /** Accepted by the provider. */
    SENT,
    DELIVERED,
    BOUNCED,
    /** Refused for good, or out of attempts; last_error says why. */
    FAILED,
    /** The customer has no usable destination on this channel. */
    SKIPPED,
    CANCELLED;

    /** Whether nothing can change this delivery any more. */
    public boolean isFinal() {
        return this != PENDING && this != QUEUED;
    }
}
