package dev.herald.standin;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local FCM, for tests, the benchmark and the demo: the OAuth2 token endpoint of a Google service
 * account and the HTTP v1 {@code messages:send} endpoint, answering as Google documents them. The
 * token endpoint checks the JWT bearer grant (RS256, signed by the service account's key, its
 * issuer and scope); the send endpoint checks the access token and the message's shape, and answers
 * {@code {"name": …}}, or what a test scripted for a token, with FCM's documented status, error JSON
 * and errorCode (UNREGISTERED 404, INVALID_ARGUMENT 400, UNAVAILABLE 503 with Retry-After,
 * QUOTA_EXCEEDED 429).
 */
public final class FcmStandIn extends ScriptedProvider<FcmStandIn.Received, FcmStandIn.Answer> implements AutoCloseable {

    public static final String PROJECT = "herald-standin";
    public static final String CLIENT_EMAIL = "herald@herald-standin.iam.gserviceaccount.com";
    private static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One message as it arrived. */
    public record Received(String token, String title, String body, Map<String, String> data, JsonNode message) {
    }

    /** What the stand-in answers a message, as FCM would. */
    public enum Answer {
        ACCEPT,
        UNREGISTERED,
        INVALID_TOKEN,
        UNAVAILABLE,
        QUOTA_EXCEEDED,
        /** 200 with an empty body, as a proxy or a cut connection gives it: no message name, so no receipt. */
        NO_RECEIPT
    }

    private final HttpServer server;
    private final KeyPair serviceAccountKey;
    private final Path serviceAccount;
    private final Set<String> accessTokens = ConcurrentHashMap.newKeySet();
    private final Set<String> acceptedTokens = ConcurrentHashMap.newKeySet();
    private final LongAdder tokensIssued = new LongAdder();
    private volatile boolean refuseCredentials;

    /**
     * Starts on a free loopback port and writes a service-account key file, whose token_uri is this
     * stand-in, into {@code directory}.
     *
     * @param keepReceived whether to keep every message for inspection (tests), or only count (benchmark)
     */
    public FcmStandIn(Path directory, boolean keepReceived) throws Exception {
        super(keepReceived);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        serviceAccountKey = generator.generateKeyPair();
        // The JDK server closes keep-alive connections beyond 200 idle ones, under clients that still hold them.
        System.setProperty("sun.net.httpserver.maxIdleConnections", "2000");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread thread = new Thread(r, "fcm-standin");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/token", this::token);
        server.createContext("/v1/projects/", this::send);
        server.start();
        serviceAccount = directory.resolve("fcm-service-account.json");
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(
                        serviceAccountKey.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Files.writeString(serviceAccount, JSON.writeValueAsString(Map.of(
                "type", "service_account",
                "project_id", PROJECT,
                "private_key_id", "standin-key",
                "private_key", pem,
                "client_email", CLIENT_EMAIL,
                "client_id", "100000000000000000001",
                "token_uri", endpoint() + "/token")));
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Herald's push configuration pointing at this stand-in. */
    public Map<String, String> configuration() {
        return Map.of("herald.push.fcm.endpoint", endpoint(), "herald.push.fcm.service-account", serviceAccount.toString());
    }

    /** From now on the service account is refused, as when its key was revoked. */
    public void refuseCredentials(boolean refuse) {
        refuseCredentials = refuse;
        accessTokens.clear();
    }

    /** Device tokens that had at least one message accepted. */
    public int distinctAccepted() {
        return acceptedTokens.size();
    }

    /** An access token, as the token endpoint would grant one: for a client that skips the OAuth exchange. */
    public String accessToken() {
        String token = "ya29.standin-" + UUID.randomUUID();
        accessTokens.add(token);
        return token;
    }

    public long tokensIssued() {
        return tokensIssued.sum();
    }

    /** The JWT bearer grant (RFC 7523), as Google's token endpoint takes it. */
    private void token(HttpExchange exchange) throws IOException {
        Map<String, String> form = form(read(exchange));
        String assertion = form.getOrDefault("assertion", "");
        String problem = !"urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.get("grant_type"))
                ? "unsupported_grant_type" : refuseCredentials ? "invalid_grant" : assertionProblem(assertion);
        if (problem != null) {
            answer(exchange, 400, Map.of("error", problem.startsWith("unsupported") ? problem : "invalid_grant",
                    "error_description", problem), Map.of());
            return;
        }
        String token = "ya29.standin-" + UUID.randomUUID();
        accessTokens.add(token);
        tokensIssued.increment();
        answer(exchange, 200, Map.of("access_token", token, "expires_in", 3599, "token_type", "Bearer"), Map.of());
    }

    /** What is wrong with the grant's JWT, or null: RS256, signed by the service account, its issuer and scope. */
    private String assertionProblem(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length != 3) {
            return "invalid_grant: not a JWT";
        }
        try {
            JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify(serviceAccountKey.getPublic());
            rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!"RS256".equals(header.path("alg").asText()) || !"standin-key".equals(header.path("kid").asText())
                    || !rsa.verify(Base64.getUrlDecoder().decode(parts[2]))) {
                return "invalid_grant: Invalid JWT Signature.";
            }
            if (!CLIENT_EMAIL.equals(claims.path("iss").asText()) || !claims.path("scope").asText().contains(SCOPE)
                    || claims.path("exp").asLong() < System.currentTimeMillis() / 1000) {
                return "invalid_grant: Invalid JWT: issuer, scope or expiry";
            }
            return null;
        } catch (Exception e) {
            return "invalid_grant: " + e.getMessage();
        }
    }

    /** POST /v1/projects/{project}/messages:send. */
    private void send(HttpExchange exchange) throws IOException {
        String body = read(exchange);
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !accessTokens.contains(authorization.replaceFirst("^Bearer ", ""))) {
            error(exchange, 401, "UNAUTHENTICATED", null, "Request had invalid authentication credentials.", Map.of());
            return;
        }
        if (!exchange.getRequestURI().getPath().equals("/v1/projects/" + PROJECT + "/messages:send")
                || !"POST".equals(exchange.getRequestMethod())) {
            error(exchange, 404, "NOT_FOUND", null, "Requested entity was not found.", Map.of());
            return;
        }
        JsonNode message = JSON.readTree(body).path("message");
        String token = message.path("token").asText("");
        JsonNode notification = message.path("notification");
        if (token.isEmpty() || notification.path("title").asText("").isEmpty()) {
            error(exchange, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "Invalid JSON payload received.", Map.of());
            return;
        }
        if (keepsReceived()) {
            Map<String, String> data = new HashMap<>();
            message.path("data").fields().forEachRemaining(e -> data.put(e.getKey(), e.getValue().asText()));
            Received arrived = new Received(token, notification.path("title").asText(), notification.path("body").asText(),
                    data, message);
            arrived(arrived);
        }
        Answer answer = answerFor(token);
        switch (answer == null ? Answer.ACCEPT : answer) {
            case UNREGISTERED -> error(exchange, 404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found.", Map.of());
            case INVALID_TOKEN -> error(exchange, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT",
                    "The registration token is not a valid FCM registration token", Map.of());
            case UNAVAILABLE -> error(exchange, 503, "UNAVAILABLE", "UNAVAILABLE", "The service is currently unavailable.",
                    Map.of("Retry-After", "1"));
            case QUOTA_EXCEEDED -> error(exchange, 429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED",
                    "Quota exceeded for quota metric 'Send requests'.", Map.of("Retry-After", "1"));
            case NO_RECEIPT -> answer(exchange, 200, Map.of(), Map.of());
            case ACCEPT -> {
                countAccepted();
                acceptedTokens.add(token);
                answer(exchange, 200, Map.of("name", "projects/" + PROJECT + "/messages/" + UUID.randomUUID()), Map.of());
            }
        }
    }

    /** An error as FCM writes it: a google.rpc.Status with an FcmError detail. */
    private static void error(HttpExchange exchange, int code, String status, String errorCode, String message,
            Map<String, String> headers) throws IOException {
        Map<String, Object> error = new HashMap<>(Map.of("code", code, "message", message, "status", status));
        if (errorCode != null) {
            error.put("details", List.of(Map.of("@type", "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                    "errorCode", errorCode)));
        }
        answer(exchange, code, Map.of("error", error), headers);
    }

    private static void answer(HttpExchange exchange, int status, Object body, Map<String, String> headers)
            throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String read(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
