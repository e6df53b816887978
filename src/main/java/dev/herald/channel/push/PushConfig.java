package dev.herald.channel.push;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "herald.push")
public interface PushConfig {

    /** Push batches this pod sends at once. */
    int connections();

    /** Push batches a pod takes from the broker at once: at least {@link #connections}, as for email. */
    int batchesHeld();

    /** Messages per second the providers take from the whole fleet, until PUT /v1/limits/push says otherwise. */
    double messagesPerSecond();

    /** Messages of one batch sent and not yet reported, at once: also what a pod killed mid-batch sends again. */
    @WithDefault("64")
    int inFlight();

    /** How long a provider may take to answer one message. */
    Duration timeout();

    /** How long a provider keeps trying to reach a device that is offline (apns-expiration, FCM ttl). */
    Duration expiration();

    Apns apns();

    Fcm fcm();

    interface Apns {
        String host();

        String sandboxHost();

        int port();

        /** The Apple developer team and the id of the token-signing key (.p8) issued to it. */
        Optional<String> teamId();

        Optional<String> keyId();

        /** The .p8 signing key, a file mounted from a Kubernetes Secret. */
        Optional<Path> signingKey();

        /** A certificate to trust for the APNs host instead of the public ones: for local stand-ins only. */
        Optional<Path> trustedCertificate();

        /** HTTP/2 connections per environment (production, sandbox). */
        int connections();

        /** apns-priority: 10 (at once) or 5 (at the device's convenience). */
        int priority();
    }

    interface Fcm {
        /** The FCM HTTP v1 API's base address. */
        String endpoint();

        /** The Firebase project the messages are sent as; by default the service account's. */
        Optional<String> projectId();

        /** The service account key (JSON), a file mounted from a Kubernetes Secret. */
        Optional<Path> serviceAccount();
    }
}
