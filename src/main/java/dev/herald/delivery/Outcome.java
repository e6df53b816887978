package dev.herald.delivery;

import java.time.Instant;

/**
 * What one attempt at a delivery came to, as the channel saw it. {@code RETRY} asks for another
 * attempt, not before {@code notBefore} when the provider said so (Retry-After); the
 * {@link RetryPolicy} decides when, or that there will be none. {@code providerMessageId} is the
 * provider's id of an accepted message, when it gives one; {@code contentSha256} the SHA-256 of the
 * exact bytes handed to the provider for it, the evidence of what was sent.
 */
public record Outcome(long deliveryId, Kind kind, String detail, String providerMessageId, Instant notBefore,
        byte[] contentSha256) {

    public enum Kind {
        SENT,
        RETRY,
        FAILED
    }

    public static Outcome sent(long deliveryId, String providerMessageId, byte[] contentSha256) {
        return new Outcome(deliveryId, Kind.SENT, null, providerMessageId, null, contentSha256);
    }

    public static Outcome retry(long deliveryId, String detail) {
        return new Outcome(deliveryId, Kind.RETRY, detail, null, null, null);
    }

    public static Outcome retryNotBefore(long deliveryId, String detail, Instant notBefore) {
        return new Outcome(deliveryId, Kind.RETRY, detail, null, notBefore, null);
    }

    public static Outcome failed(long deliveryId, String detail) {
        return new Outcome(deliveryId, Kind.FAILED, detail, null, null, null);
    }

    /** The row change an outcome turns into, once the retry policy has spoken. */
    record Resolved(long deliveryId, DeliveryStatus status, Instant nextAttemptAt, String error, String event,
            String providerMessageId, byte[] contentSha256) {
    }
}
