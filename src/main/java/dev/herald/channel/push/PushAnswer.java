package dev.herald.channel.push;

import java.time.Instant;

/**
 * What a push provider answered about one message, sorted by what its documentation says it means.
 *
 * @param providerId the provider's id of an accepted message (FCM's name, APNs' apns-id)
 * @param notBefore when the provider asked to be tried again (Retry-After), or null
 */
record PushAnswer(Verdict verdict, String detail, String providerId, Instant notBefore) {

    enum Verdict {
        ACCEPTED,
        /** The token is no longer valid (unregistered, invalid, not this sender's): deactivate the device. */
        TOKEN_GONE,
        /** The message itself was refused for good (too large, malformed). */
        REJECTED,
        /** Try this message again later. */
        RETRY,
        /** The project's quota is exhausted: slow down, without holding it against the message. */
        SLOW_DOWN,
        /** The provider failed or could not be reached: a passing fault, or the channel is down. */
        PROVIDER_DOWN,
        /** The provider refuses Herald's credentials: nothing can be sent until an operator fixes them. */
        CREDENTIALS_REFUSED
    }

    static PushAnswer accepted(String providerId) {
        return new PushAnswer(Verdict.ACCEPTED, null, providerId, null);
    }

    static PushAnswer of(Verdict verdict, String detail) {
        return new PushAnswer(verdict, detail, null, null);
    }

    static PushAnswer of(Verdict verdict, String detail, Instant notBefore) {
        return new PushAnswer(verdict, detail, null, notBefore);
    }
}
