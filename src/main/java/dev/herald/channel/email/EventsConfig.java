package dev.herald.channel.email;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

@ConfigMapping(prefix = "herald.events")
public interface EventsConfig {

    /** Shared secret of the HMAC-signed event form; without one that form is refused. Never in the repository. */
    Optional<String> hmacSecret();

    /** How far a signed event's timestamp may lie from now: an old signed request cannot be replayed later. */
    Duration signatureTolerance();

    Sns sns();

    interface Sns {
        /** SNS signing certificates are fetched only from URLs matching this (Amazon SNS hosts, over https). */
        String certUrlPattern();

        /** Subscription confirmations are visited only at URLs matching this. */
        String subscribeUrlPattern();

        /** Topics accepted; when none are listed, SNS messages are refused (anyone may sign their own topic's). */
        Optional<List<String>> topicArns();
    }
}
