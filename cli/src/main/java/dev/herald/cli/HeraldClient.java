package dev.herald.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Herald's REST API as the client uses it: a bearer token on every call, problems turned into
 * {@link Refused}, and calls retried when Herald cannot be reached or answers 5xx (a pod restarting),
 * until {@link ConnectionLost}.
 */
final class HeraldClient {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final int ATTEMPTS = 5;

    /** Herald answered 4xx: the request itself is wrong or not allowed. */
    static final class Refused extends RuntimeException {
        final int status;

        Refused(int status, String detail) {
            super(detail);
            this.status = status;
        }
    }

    /** Herald could not be reached after the retries. */
    static final class ConnectionLost extends RuntimeException {
        ConnectionLost(String message) {
            super(message);
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final String base;
    private final String token;
    private final Duration retryDelay;

    HeraldClient(String base, String token, Duration retryDelay) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.token = token;
        this.retryDelay = retryDelay;
    }

    JsonNode get(String path) {
        return json(send(() -> request(path).GET().build(), HttpResponse.BodyHandlers.ofString()));
    }

    JsonNode post(String path, String json) {
        return post(path, json, null);
    }

    /** A POST with a JSON body (or none); with an Idempotency-Key when one is given. */
    JsonNode post(String path, String json, String idempotencyKey) {
        return json(send(() -> {
            HttpRequest.Builder request = request(path).header("Content-Type", "application/json")
                    .POST(json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
            if (idempotencyKey != null) {
                request.header("Idempotency-Key", idempotencyKey);
            }
            return request.build();
        }, HttpResponse.BodyHandlers.ofString()));
    }

    /** Streams a body Herald reads as it comes (an import); not retried, since it cannot be replayed. */
    JsonNode stream(String path, String contentType, Supplier<InputStream> body) {
        try {
            return json(check(http.send(request(path).header("Content-Type", contentType)
                    .timeout(Duration.ofHours(12))
                    .POST(HttpRequest.BodyPublishers.ofInputStream(body)).build(), HttpResponse.BodyHandlers.ofString())));
        } catch (IOException e) {
            throw new ConnectionLost("the upload to " + base + path + " broke: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionLost("interrupted");
        }
    }

    /** Downloads an answer into a file (an evidence export). */
    void download(String path, Path file) {
        send(() -> request(path).timeout(Duration.ofHours(12)).GET().build(), HttpResponse.BodyHandlers.ofFile(file));
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (token != null && !token.isBlank()) {
            builder.header("Authorization", "Bearer " + token.strip());
        }
        return builder;
    }

    private <T> HttpResponse<T> send(Supplier<HttpRequest> request, HttpResponse.BodyHandler<T> handler) {
        String last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpResponse<T> response = http.send(request.get(), handler);
                if (response.statusCode() < 500) {
                    return check(response);
                }
                last = "HTTP " + response.statusCode();
            } catch (ConnectException e) {
                last = "cannot connect to " + base;
            } catch (IOException e) {
                last = e.getClass().getSimpleName() + ": " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConnectionLost("interrupted");
            }
            sleep(retryDelay.multipliedBy(attempt));
        }
        throw new ConnectionLost(last + " (after " + ATTEMPTS + " attempts)");
    }

    private static <T> HttpResponse<T> check(HttpResponse<T> response) {
        if (response.statusCode() >= 400) {
            String detail = "HTTP " + response.statusCode();
            if (response.body() instanceof String body && !body.isBlank()) {
                try {
                    JsonNode problem = JSON.readTree(body);
                    detail = problem.path("title").asText(detail) + ": " + problem.path("detail").asText("");
                } catch (IOException notJson) {
                    detail += ": " + body;
                }
            }
            throw new Refused(response.statusCode(), detail);
        }
        return response;
    }

    private static JsonNode json(HttpResponse<String> response) {
        try {
            return response.body() == null || response.body().isBlank() ? JSON.nullNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new ConnectionLost("Herald answered something that is not JSON: " + e.getMessage());
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionLost("interrupted");
        }
    }
}
