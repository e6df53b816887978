package dev.herald.standin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

import com.eatthepath.pushy.apns.auth.ApnsVerificationKey;
import com.eatthepath.pushy.apns.auth.AuthenticationToken;
import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.RejectedNotificationException;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.eatthepath.pushy.apns.server.UnregisteredDeviceTokenException;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * A local APNs, for tests, the benchmark and the demo: Pushy's mock server over HTTP/2 and TLS,
 * checking what Apple documents ("Sending notification requests to APNs", "Establishing a token-based
 * connection"): an ES256 provider token signed by the team's key and under an hour old, apns-topic,
 * apns-push-type, apns-priority, a hexadecimal device token and a payload of at most 4096 bytes. It
 * answers 200 with an apns-id, or what a test scripted for a token (410 Unregistered, 400
 * BadDeviceToken, 503, 429), with the status and reason Apple documents for each.
 */
public final class ApnsStandIn extends ScriptedProvider<ApnsStandIn.Received, ApnsStandIn.Answer> implements AutoCloseable {

    public static final String TEAM_ID = "HERALDTEAM";
    public static final String KEY_ID = "STANDINKEY";
    private static final int PAYLOAD_LIMIT = 4096;

    /** One notification as it arrived, with the provider token's claims. */
    public record Received(String token, String topic, Map<String, String> headers, String payload, String teamId,
            String keyId) {
    }

    /** What the stand-in answers a notification, as Apple would. */
    public enum Answer {
        ACCEPT,
        UNREGISTERED,
        BAD_DEVICE_TOKEN,
        SERVICE_UNAVAILABLE,
        TOO_MANY_REQUESTS
    }

    private final MockApnsServer server;
    private final int port;
    private final Path signingKey;
    private final Path certificate;
    private final ApnsVerificationKey verificationKey;
    private volatile boolean refuseProviderTokens;

    /**
     * Starts on a free port; writes the team's signing key (.p8) and the server's certificate into
     * {@code directory}, for Herald's configuration.
     *
     * @param keepReceived whether to keep every notification for inspection (tests), or only count (benchmark)
     */
    public ApnsStandIn(Path directory, boolean keepReceived) throws Exception {
        super(keepReceived);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        KeyPair keys = generator.generateKeyPair();
        signingKey = directory.resolve("apns-signing-key.p8");
        Files.writeString(signingKey, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        verificationKey = new ApnsVerificationKey(KEY_ID, TEAM_ID, (ECPublicKey) keys.getPublic());
        certificate = directory.resolve("apns-standin-cert.pem");
        try (InputStream cert = resource("apns-standin-cert.pem")) {
            Files.copy(cert, certificate, StandardCopyOption.REPLACE_EXISTING);
        }
        try (InputStream cert = resource("apns-standin-cert.pem"); InputStream key = resource("apns-standin-key.pem")) {
            server = new MockApnsServerBuilder()
                    .setServerCredentials(cert, key, null)
                    .setHandlerFactory(session -> this::handle)
                    .build();
        }
        port = (Integer) server.start(0).get();
    }

    public int port() {
        return port;
    }

    public Path signingKey() {
        return signingKey;
    }

    /** The certificate Herald must trust to reach this stand-in (it is for localhost and 127.0.0.1). */
    public Path certificate() {
        return certificate;
    }

    /** Herald's push configuration pointing at this stand-in. */
    public Map<String, String> configuration() {
        return Map.of(
                "herald.push.apns.host", "localhost",
                "herald.push.apns.sandbox-host", "localhost",
                "herald.push.apns.port", String.valueOf(port),
                "herald.push.apns.team-id", TEAM_ID,
                "herald.push.apns.key-id", KEY_ID,
                "herald.push.apns.signing-key", signingKey.toString(),
                "herald.push.apns.trusted-certificate", certificate.toString());
    }

    /** From now on every provider token is refused (403 InvalidProviderToken), as with a revoked key. */
    public void refuseProviderTokens(boolean refuse) {
        refuseProviderTokens = refuse;
    }

    private void handle(Http2Headers headers, ByteBuf payload) throws RejectedNotificationException {
        CharSequence authorization = headers.get("authorization");
        if (authorization == null || !authorization.toString().startsWith("bearer ")) {
            throw new RejectedNotificationException(RejectionReason.MISSING_PROVIDER_TOKEN);
        }
        AuthenticationToken token;
        try {
            token = new AuthenticationToken(authorization.toString().substring("bearer ".length()));
        } catch (RuntimeException unreadable) {
            throw new RejectedNotificationException(RejectionReason.INVALID_PROVIDER_TOKEN);
        }
        if (refuseProviderTokens || !KEY_ID.equals(token.getKeyId()) || !TEAM_ID.equals(token.getTeamId())
                || !token.verifySignature(verificationKey)) {
            throw new RejectedNotificationException(RejectionReason.INVALID_PROVIDER_TOKEN);
        }
        if (token.getIssuedAt().isBefore(Instant.now().minus(Duration.ofHours(1)))) {
            throw new RejectedNotificationException(RejectionReason.EXPIRED_PROVIDER_TOKEN);
        }
        CharSequence topic = headers.get("apns-topic");
        if (topic == null) {
            throw new RejectedNotificationException(RejectionReason.MISSING_TOPIC);
        }
        if (!"alert".contentEquals(String.valueOf(headers.get("apns-push-type")))) {
            throw new RejectedNotificationException(RejectionReason.INVALID_PUSH_TYPE);
        }
        String priority = String.valueOf(headers.get("apns-priority"));
        if (!priority.equals("10") && !priority.equals("5")) {
            throw new RejectedNotificationException(RejectionReason.BAD_PRIORITY);
        }
        String device = String.valueOf(headers.path()).replaceFirst("^/3/device/", "");
        if (!device.matches("[0-9a-fA-F]{64,200}")) {
            throw new RejectedNotificationException(RejectionReason.BAD_DEVICE_TOKEN);
        }
        if (payload.readableBytes() > PAYLOAD_LIMIT) {
            throw new RejectedNotificationException(RejectionReason.PAYLOAD_TOO_LARGE);
        }
        if (keepsReceived()) {
            Map<String, String> seen = new TreeMap<>();
            headers.forEach(h -> seen.put(h.getKey().toString(), h.getValue().toString()));
            Received arrived = new Received(device, topic.toString(), seen, payload.toString(StandardCharsets.UTF_8),
                    token.getTeamId(), token.getKeyId());
            arrived(arrived);
        }
        Answer answer = answerFor(device);
        if (answer != null) {
            switch (answer) {
                case UNREGISTERED -> throw new UnregisteredDeviceTokenException(Instant.now());
                case BAD_DEVICE_TOKEN -> throw new RejectedNotificationException(RejectionReason.BAD_DEVICE_TOKEN);
                case SERVICE_UNAVAILABLE -> throw new RejectedNotificationException(RejectionReason.SERVICE_UNAVAILABLE);
                case TOO_MANY_REQUESTS -> throw new RejectedNotificationException(RejectionReason.TOO_MANY_REQUESTS);
                case ACCEPT -> {
                }
            }
        }
        countAccepted();
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = ApnsStandIn.class.getResourceAsStream("/standin/" + name);
        if (in == null) {
            throw new IOException("standin/" + name + " is not on the classpath");
        }
        return in;
    }

    @Override
    public void close() throws Exception {
        server.shutdown().get();
    }
}
