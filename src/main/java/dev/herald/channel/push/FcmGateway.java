package dev.herald.channel.push;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.google.api.client.http.HttpResponseException;
import com.google.auth.oauth2.ServiceAccountCredentials;

import dev.herald.channel.push.PushAnswer.Verdict;

/**
 * Firebase Cloud Messaging through its HTTP v1 API: an OAuth2 access token from the service-account
 * key (cached by the library until it nears expiry; the key's token_uri is honoured), and one
 * {@code messages:send} request per message. Answers are sorted as FCM documents its error codes.
 */
@ApplicationScoped
class FcmGateway {

    private static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";

    private final PushConfig config;
    private final ObjectMapper json;
    private final ObjectWriter sortedKeys;
    private final HttpClient http;
    private ServiceAccountCredentials credentials;

    FcmGateway(PushConfig config, ObjectMapper json) {
        this.config = config;
        this.json = json;
        this.sortedKeys = json.writer().with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
        this.http = HttpClient.newBuilder().connectTimeout(config.timeout()).build();
    }

    /**
     * The request body: notification text for the lock screen, and which delivery it is for the app. Its
     * keys are written sorted, so the same message always has the same bytes (the evidence hashes them).
     */
    byte[] body(PushMessage message) {
        Map<String, Object> body = Map.of("message", Map.of(
                "token", message.device().token(),
                "notification", Map.of("title", message.text().title(), "body", message.text().body()),
                "data", Map.of("heraldNotice", String.valueOf(message.noticeId()), "heraldDelivery",
                        String.valueOf(message.deliveryId())),
                "android", Map.of("priority", "HIGH", "ttl", config.expiration().toSeconds() + "s",
                        "collapseKey", message.collapseId()),
                "apns", Map.of("headers", Map.of("apns-collapse-id", message.collapseId()))));
        try {
            return sortedKeys.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A push message cannot be written as JSON", e);
        }
    }

    CompletableFuture<PushAnswer> send(PushMessage message, byte[] body) {
        String token;
        String project;
        try {
            ServiceAccountCredentials account = credentials();
            account.refreshIfExpired();
            token = account.getAccessToken().getTokenValue();
            project = config.fcm().projectId().orElse(account.getProjectId());
            if (project == null) {
                throw new CredentialsUnusable("no Firebase project: the service account names none and"
                        + " herald.push.fcm.project-id is not set");
            }
        } catch (CredentialsUnusable e) {
            return CompletableFuture.completedFuture(PushAnswer.of(Verdict.CREDENTIALS_REFUSED, e.getMessage()));
        } catch (IOException e) {
            return CompletableFuture.completedFuture(forgetRefusedCredentials(refusal(e)));
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(config.fcm().endpoint() + "/v1/projects/" + project
                + "/messages:send"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json; charset=UTF-8")
                .timeout(config.timeout())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .handle((response, error) -> error != null
                        ? PushAnswer.of(Verdict.PROVIDER_DOWN, "FCM unreachable: " + rootMessage(error))
                        : answer(response))
                .thenApply(this::forgetRefusedCredentials);
    }

    /** Refused credentials are read again, and a new token fetched, at the next send: the operator may have replaced them. */
    private PushAnswer forgetRefusedCredentials(PushAnswer answer) {
        if (answer.verdict() == Verdict.CREDENTIALS_REFUSED) {
            synchronized (this) {
                credentials = null;
            }
        }
        return answer;
    }

    /** Whether FCM's address takes connections again. */
    boolean probe() {
        return PushSender.reachable(URI.create(config.fcm().endpoint()));
    }

    /** Sorts an answer as the FCM error codes are documented (firebase.google.com/docs/cloud-messaging/error-codes). */
    private PushAnswer answer(HttpResponse<String> response) {
        int status = response.statusCode();
        JsonNode body = parse(response.body());
        if (status == 200) {
            // FCM's receipt is the message's name; a 200 without one (a proxy's, a cut body) is no receipt.
            String name = body.path("name").asText("");
            return name.isBlank()
                    ? PushAnswer.of(Verdict.RETRY, "FCM answered 200 without the message's name: no receipt")
                    : PushAnswer.accepted(name);
        }
        JsonNode error = body.path("error");
        String code = "";
        for (JsonNode detail : error.path("details")) {
            if (detail.path("@type").asText().endsWith("google.firebase.fcm.v1.FcmError")) {
                code = detail.path("errorCode").asText();
            }
        }
        String message = error.path("message").asText("");
        String detail = "FCM " + status + (code.isEmpty() ? "" : " " + code) + (message.isEmpty() ? "" : ": " + message);
        Instant retryAfter = response.headers().firstValue("Retry-After").map(PushSender::retryAfter).orElse(null);
        return switch (code.isEmpty() ? String.valueOf(status) : code) {
            case "UNREGISTERED", "SENDER_ID_MISMATCH", "404" -> PushAnswer.of(Verdict.TOKEN_GONE, detail);
            case "INVALID_ARGUMENT", "400" -> PushAnswer.of(aboutTheToken(error) ? Verdict.TOKEN_GONE : Verdict.REJECTED, detail);
            case "QUOTA_EXCEEDED", "429" -> PushAnswer.of(Verdict.SLOW_DOWN, detail, retryAfter);
            case "UNAVAILABLE", "INTERNAL", "500", "502", "503", "504" -> PushAnswer.of(Verdict.PROVIDER_DOWN, detail, retryAfter);
            case "THIRD_PARTY_AUTH_ERROR", "401", "403" -> PushAnswer.of(Verdict.CREDENTIALS_REFUSED, detail);
            default -> PushAnswer.of(Verdict.REJECTED, detail);
        };
    }

    /** INVALID_ARGUMENT names the token when the token is what is wrong ("not a valid FCM registration token"). */
    private static boolean aboutTheToken(JsonNode error) {
        if (error.path("message").asText("").toLowerCase().contains("registration token")) {
            return true;
        }
        for (JsonNode detail : error.path("details")) {
            for (JsonNode violation : detail.path("fieldViolations")) {
                if ("message.token".equals(violation.path("field").asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The token endpoint refused the key (400/401/403: credentials), or could not be reached. */
    private static PushAnswer refusal(IOException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpResponseException http && http.getStatusCode() >= 400 && http.getStatusCode() < 500
                    && http.getStatusCode() != 408 && http.getStatusCode() != 429) {
                return PushAnswer.of(Verdict.CREDENTIALS_REFUSED, "FCM refuses the service account: "
                        + http.getStatusCode() + " " + rootMessage(http));
            }
        }
        return PushAnswer.of(Verdict.PROVIDER_DOWN, "FCM token endpoint unreachable: " + rootMessage(e));
    }

    private synchronized ServiceAccountCredentials credentials() throws IOException, CredentialsUnusable {
        if (credentials == null) {
            if (config.fcm().serviceAccount().isEmpty()) {
                throw new CredentialsUnusable("FCM credentials are not configured (herald.push.fcm.service-account)");
            }
            try (InputStream key = Files.newInputStream(config.fcm().serviceAccount().get())) {
                credentials = (ServiceAccountCredentials) ServiceAccountCredentials.fromStream(key)
                        .createScoped(List.of(SCOPE));
            } catch (IOException | ClassCastException e) {
                throw new CredentialsUnusable("the FCM service account key cannot be read: " + rootMessage(e));
            }
        }
        return credentials;
    }

    private JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? json.createObjectNode() : json.readTree(body);
        } catch (JsonProcessingException e) {
            return json.createObjectNode();
        }
    }

    static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage().replaceAll("\\s+", " ");
    }

    /** Herald's credentials for a provider are missing or unreadable. */
    static final class CredentialsUnusable extends Exception {
        CredentialsUnusable(String reason) {
            super(reason);
        }
    }
}
