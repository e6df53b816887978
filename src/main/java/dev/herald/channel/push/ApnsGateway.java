package dev.herald.channel.push;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushNotificationResponse;
import com.eatthepath.pushy.apns.PushType;
import com.eatthepath.pushy.apns.auth.ApnsSigningKey;
import com.eatthepath.pushy.apns.util.SimpleApnsPayloadBuilder;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;

import dev.herald.channel.push.FcmGateway.CredentialsUnusable;
import dev.herald.channel.push.PushAnswer.Verdict;

/**
 * Apple Push Notification service over HTTP/2 with token authentication, through Pushy: one
 * long-lived client per environment (production, sandbox), each with its pooled connections; Pushy
 * signs the ES256 provider token with the .p8 key and renews it every 50 minutes, within Apple's
 * 20-to-60-minute rule. Answers are sorted as Apple documents them.
 */
@ApplicationScoped
class ApnsGateway {

    private final PushConfig config;
    private final Map<Boolean, ApnsClient> clients = new ConcurrentHashMap<>();

    ApnsGateway(PushConfig config) {
        this.config = config;
    }

    /**
     * The APNs payload: the alert for the lock screen, and which delivery it is for the app, in a fixed
     * order, so the same message always has the same bytes (the evidence hashes them).
     */
    byte[] payload(PushMessage message) {
        return new SimpleApnsPayloadBuilder()
                .setAlertTitle(message.text().title())
                .setAlertBody(message.text().body())
                .setSoundFileName("default")
                .addCustomProperty("herald", new TreeMap<>(Map.of("notice", message.noticeId(), "delivery", message.deliveryId())))
                .build().getBytes(StandardCharsets.UTF_8);
    }

    CompletableFuture<PushAnswer> send(PushMessage message, byte[] payload) {
        ApnsClient client;
        try {
            client = client(message.device().sandbox());
        } catch (CredentialsUnusable e) {
            return CompletableFuture.completedFuture(PushAnswer.of(Verdict.CREDENTIALS_REFUSED, e.getMessage()));
        }
        SimpleApnsPushNotification notification = new SimpleApnsPushNotification(message.device().token(),
                message.device().appId(), new String(payload, StandardCharsets.UTF_8),
                Instant.now().plus(config.expiration()), DeliveryPriority.getFromCode(config.apns().priority()),
                PushType.ALERT, message.collapseId());
        return client.sendNotification(notification).handle((response, error) -> error != null
                ? PushAnswer.of(Verdict.PROVIDER_DOWN, "APNs unreachable: " + FcmGateway.rootMessage(error))
                : answer(response))
                .thenApply(answer -> forgetRefused(answer, message.device().sandbox(), client));
    }

    /** A client whose key was refused is built again, from the key file, at the next send: the operator may have replaced it. */
    private PushAnswer forgetRefused(PushAnswer answer, boolean sandbox, ApnsClient client) {
        if (answer.verdict() == Verdict.CREDENTIALS_REFUSED && clients.remove(sandbox, client)) {
            client.close();
        }
        return answer;
    }

    /** Whether the APNs hosts take connections again. */
    boolean probe() {
        return PushSender.reachable(new InetSocketAddress(config.apns().host(), config.apns().port()));
    }

    /** Sorts an answer as Apple documents it ("Handling notification responses from APNs"). */
    private static PushAnswer answer(PushNotificationResponse<SimpleApnsPushNotification> response) {
        if (response.isAccepted()) {
            // Apple answers every accepted notification with its apns-id: without one there is no receipt.
            return response.getApnsId() == null
                    ? PushAnswer.of(Verdict.RETRY, "APNs answered 200 without an apns-id: no receipt")
                    : PushAnswer.accepted(response.getApnsId().toString());
        }
        int status = response.getStatusCode();
        String reason = response.getRejectionReason().orElse("");
        String detail = "APNs " + status + (reason.isEmpty() ? "" : " " + reason);
        return switch (reason) {
            case "Unregistered", "ExpiredToken", "BadDeviceToken", "DeviceTokenNotForTopic" ->
                    PushAnswer.of(Verdict.TOKEN_GONE, detail);
            case "InvalidProviderToken", "MissingProviderToken", "BadCertificate", "BadCertificateEnvironment",
                    "Forbidden", "UnrelatedKeyIdInToken", "TopicDisallowed" -> PushAnswer.of(Verdict.CREDENTIALS_REFUSED, detail);
            // Pushy opens a new connection, with a new provider token, after this one.
            case "ExpiredProviderToken", "TooManyRequests", "TooManyProviderTokenUpdates", "IdleTimeout" ->
                    PushAnswer.of(Verdict.RETRY, detail);
            default -> status >= 500 ? PushAnswer.of(Verdict.PROVIDER_DOWN, detail) : PushAnswer.of(Verdict.REJECTED, detail);
        };
    }

    private ApnsClient client(boolean sandbox) throws CredentialsUnusable {
        ApnsClient client = clients.get(sandbox);
        if (client != null) {
            return client;
        }
        synchronized (clients) {
            if (!clients.containsKey(sandbox)) {
                clients.put(sandbox, build(sandbox));
            }
            return clients.get(sandbox);
        }
    }

    private ApnsClient build(boolean sandbox) throws CredentialsUnusable {
        PushConfig.Apns apns = config.apns();
        if (apns.teamId().isEmpty() || apns.keyId().isEmpty() || apns.signingKey().isEmpty()) {
            throw new CredentialsUnusable("APNs credentials are not configured (herald.push.apns.team-id, key-id and"
                    + " signing-key)");
        }
        try {
            ApnsClientBuilder builder = new ApnsClientBuilder()
                    .setApnsServer(sandbox ? apns.sandboxHost() : apns.host(), apns.port())
                    .setSigningKey(ApnsSigningKey.loadFromPkcs8File(apns.signingKey().get().toFile(), apns.teamId().get(),
                            apns.keyId().get()))
                    .setConcurrentConnections(apns.connections())
                    .setConnectionTimeout(config.timeout());
            if (apns.trustedCertificate().isPresent()) {
                builder.setTrustedServerCertificateChain(new File(apns.trustedCertificate().get().toString()));
            }
            return builder.build();
        } catch (IOException | NoSuchAlgorithmException | InvalidKeyException | RuntimeException e) {
            throw new CredentialsUnusable("the APNs signing key cannot be used: " + FcmGateway.rootMessage(e));
        }
    }

    @PreDestroy
    void close() {
        clients.values().forEach(ApnsClient::close);
    }
}
