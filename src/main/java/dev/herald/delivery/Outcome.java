package dev.herald.delivery;

import java.time.Instant;

/**
 * What one attempt at a delivery came to. {@code retry} asks for another attempt; the
 * {@link RetryPolicy} decides when, or that there will be none.
 */
public record Outcome(long deliveryId, Kind kind, String detail) {

    public enum Kind {
        SENT,
        RETRY,
        FAILED
    }

    public static Outcome sent(long deliveryId) {
        return new Outcome(deliveryId, Kind.SENT, null);
    }

    public static Outcome retry(long deliveryId, String detail) {
        return new Outcome(deliveryId, Kind.RETRY, detail);
    }

    public static Outcome failed(long deliveryId, String detail) {
        return new Outcome(deliveryId, Kind.FAILED, detail);
    }

    /** The row change an outcome turns into, once the retry policy has spoken. */
    record Resolved(long deliveryId, DeliveryStatus status, Instant nextAttemptAt, String error, String event) {
    }
}
