package dev.herald.delivery;

import java.time.Instant;

/**
 * What one attempt at a delivery came to, as the channel saw it. {@code RETRY} asks for another
 * attempt, not before {@code notBefore} when the provider said so (Retry-After); the
 * {@link RetryPolicy} decides when, or that there will be none. {@code POSTPONED} sends it again at
 * {@code notBefore} without counting an attempt: the receiving domain group {@code waitingFor} asked the
 * sender to slow down, or its pace has no room now; it is no fault of the recipient's.
 * {@code providerMessageId} is the provider's id of an accepted message, when it gives one;
 * {@code contentSha256} the SHA-256 of the exact bytes handed to the provider for it, the evidence of
 * what was sent.
 */
public record Outcome(long deliveryId, Kind kind, String detail, String providerMessageId, Instant notBefore,
        byte[] contentSha256, String waitingFor) {

    public enum Kind {
        SENT,
        RETRY,
        POSTPONED,
        FAILED
    }

    public static Outcome sent(long deliveryId, String providerMessageId, byte[] contentSha256) {
        return new Outcome(deliveryId, Kind.SENT, null, providerMessageId, null, contentSha256, null);
    }

    public static Outcome retry(long deliveryId, String detail) {
        return new Outcome(deliveryId, Kind.RETRY, detail, null, null, null, null);
    }

    public static Outcome retryNotBefore(long deliveryId, String detail, Instant notBefore) {
        return new Outcome(deliveryId, Kind.RETRY, detail, null, notBefore, null, null);
    }

    /**
     * Sent again at {@code notBefore}, no attempt counted, for the pace of {@code group}. {@code deferral}
     * is the provider's reply when it deferred the message (a timeline event), or null when the message
     * was not tried because the group's pace had no room.
     */
    public static Outcome postponed(long deliveryId, String group, Instant notBefore, String deferral) {
        return new Outcome(deliveryId, Kind.POSTPONED, deferral, null, notBefore, null, group);
    }

    public static Outcome failed(long deliveryId, String detail) {
        return new Outcome(deliveryId, Kind.FAILED, detail, null, null, null, null);
    }

    /** The row change an outcome turns into, once the retry policy has spoken. */
    record Resolved(long deliveryId, DeliveryStatus status, Instant nextAttemptAt, String error, String event,
            String providerMessageId, byte[] contentSha256, boolean attempted, String waitingFor, boolean deferred) {
    }
}
