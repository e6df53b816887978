package dev.herald.channel.email;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Set;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validator;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.ops.InvalidInputException;
import dev.herald.ops.RefusedException;

/**
 * Herald's own event form: JSON signed with a shared secret, for providers or relays that can call
 * a webhook. Header {@code X-Herald-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">}.
 */
@ApplicationScoped
public class SignedEvents {

    public static final String SOURCE = "herald-hmac";

    public enum BounceType {
        HARD,
        SOFT
    }

    /** The body of a signed event. */
    public record SignedEvent(@NotBlank @Size(max = 200) String id, @NotNull EmailEvent.Kind type, BounceType bounceType,
            @NotBlank @Size(max = 1000) String messageId, @Size(max = 2000) String detail) {
    }

    private final EventsConfig config;
    private final ObjectMapper json;
    private final Validator validator;

    SignedEvents(EventsConfig config, ObjectMapper json, Validator validator) {
        this.config = config;
        this.json = json;
        this.validator = validator;
    }

    /** The event in a signed request, once its signature and timestamp check out. */
    public EmailEvent read(byte[] body, String signatureHeader) throws java.io.IOException {
        verify(body, signatureHeader);
        SignedEvent event = json.readValue(body, SignedEvent.class);
        Set<ConstraintViolation<SignedEvent>> violations = validator.validate(event);
        if (!violations.isEmpty()) {
            throw new ConstraintViolationException(violations);
        }
        if (event.type() == EmailEvent.Kind.BOUNCED && event.bounceType() == null) {
            throw InvalidInputException.of("bounceType", "a BOUNCED event needs HARD or SOFT");
        }
        return new EmailEvent(SOURCE, event.id(), event.type(), event.bounceType() == BounceType.HARD,
                event.messageId(), event.detail());
    }

    private void verify(byte[] body, String header) {
        String secret = config.hmacSecret().filter(s -> !s.isBlank()).orElseThrow(() -> unauthorized(
                "signed events are not accepted: herald.events.hmac-secret is not configured"));
        if (header == null) {
            throw unauthorized("X-Herald-Signature is missing");
        }
        Long timestamp = null;
        String signature = null;
        for (String part : header.split(",")) {
            String[] kv = part.strip().split("=", 2);
            if (kv.length == 2 && kv[0].equals("t")) {
                try {
                    timestamp = Long.parseLong(kv[1]);
                } catch (NumberFormatException e) {
                    throw unauthorized("X-Herald-Signature: t must be a Unix time in seconds");
                }
            } else if (kv.length == 2 && kv[0].equals("v1")) {
                signature = kv[1];
            }
        }
        if (timestamp == null || signature == null) {
            throw unauthorized("X-Herald-Signature must read t=<unix seconds>,v1=<hex HMAC-SHA256>");
        }
        if (Math.abs(Instant.now().getEpochSecond() - timestamp) > config.signatureTolerance().toSeconds()) {
            throw unauthorized("X-Herald-Signature: t is more than " + config.signatureTolerance().toSeconds()
                    + " s from now");
        }
        byte[] expected = hmac(secret, timestamp, body);
        byte[] given;
        try {
            given = HexFormat.of().parseHex(signature);
        } catch (IllegalArgumentException e) {
            throw unauthorized("X-Herald-Signature: v1 must be hexadecimal");
        }
        if (!MessageDigest.isEqual(expected, given)) {
            throw unauthorized("X-Herald-Signature does not match the body");
        }
    }

    /** HMAC-SHA256 of "timestamp.body", as the README documents it for callers. */
    public static byte[] hmac(String secret, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is always available", e);
        }
    }

    static RefusedException unauthorized(String detail) {
        return new RefusedException(RefusedException.Reason.UNAUTHENTICATED, "Unauthorized", detail);
    }
}
