package dev.herald.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.herald.standin.FcmStandIn;

/**
 * Herald as a child process on the bench's own database and broker queue, and the calls the bench
 * tools make to it. It can be started again on the same database, killed or stopped gracefully.
 */
final class Herald {

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Options options;
    private final int smtpPort;
    private final Path log;
    private final Map<String, String> environment;
    private final String base;
    private final String operator;
    private final String approver;
    private final BenchKeys keys;
    private Process process;

    /**
     * @param environment configuration for Herald beyond the database, queue and SMTP relay
     */
    Herald(Options options, int smtpPort, Path log, Map<String, String> environment) throws Exception {
        if (!Files.exists(options.jar())) {
            throw new IllegalStateException(options.jar() + " is missing: build Herald first (./mvnw package -DskipTests)");
        }
        this.options = options;
        this.smtpPort = smtpPort;
        this.log = log;
        keys = new BenchKeys(log.getParent());
        this.environment = new HashMap<>(environment);
        this.environment.putAll(keys.environment());
        this.operator = keys.mint("bench", "admin");
        this.approver = keys.mint("bench-approver", "operator");
        this.base = "http://127.0.0.1:" + options.port();
    }

    BenchKeys keys() {
        return keys;
    }

    /** Streams a GET's answer into a file, as an admin; the caller watches Herald while it runs. */
    java.util.concurrent.CompletableFuture<HttpResponse<Path>> download(String path, Path file) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + operator)
                .build(), HttpResponse.BodyHandlers.ofFile(file));
    }

    /** The bench's bearer token: an admin, which may do everything. */
    String token() {
        return operator;
    }

    String base() {
        return base;
    }

    /** Starts Herald and waits until it is ready; {@code emptyDatabase} drops everything first. */
    void start(boolean emptyDatabase) throws Exception {
        List<String> command = new ArrayList<>(List.of("java"));
        // The heap a pod gets in k8s/herald.yaml; without it the JVM takes a quarter of the machine and the
        // "peak heap" is mostly garbage not yet collected, whose amount depends on how long the run lasts.
        command.add("-Xmx768m");
        // As in k8s/herald.yaml: the email senders run at nice 10, so the lookups measured stay responsive.
        command.addAll(List.of("-XX:ThreadPriorityPolicy=1", "-XX:JavaPriority1_To_OSPriority=10"));
        if (options.jfr()) {
            // A profile of the run, for `jfr print` or JDK Mission Control; every 2 ms so senders get enough samples.
            command.add("-XX:StartFlightRecording=filename=" + options.out().resolve("herald.jfr")
                    + ",settings=profile,jdk.ExecutionSample#period=2ms");
        }
        command.addAll(List.of("-jar", options.jar().toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.put("QUARKUS_HTTP_PORT", String.valueOf(options.port()));
        env.put("QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl());
        env.put("QUARKUS_FLYWAY_CLEAN_AT_START", String.valueOf(emptyDatabase));
        env.put("QUARKUS_FLYWAY_CLEAN_DISABLED", "false");
        // The outgoing channel's name; -Dbench.outgoing=EMAIL_BATCHES runs a build from before the delivery engine.
        env.put("MP_MESSAGING_OUTGOING_" + System.getProperty("bench.outgoing", "DELIVERIES") + "_EXCHANGE_NAME",
                "herald-bench");
        env.put("MP_MESSAGING_INCOMING_EMAIL_WORK_EXCHANGE_NAME", "herald-bench");
        env.put("MP_MESSAGING_INCOMING_EMAIL_WORK_QUEUE_NAME", "herald-bench.email");
        env.put("MP_MESSAGING_INCOMING_PUSH_WORK_EXCHANGE_NAME", "herald-bench");
        env.put("MP_MESSAGING_INCOMING_PUSH_WORK_QUEUE_NAME", "herald-bench.push");
        env.put("HERALD_SMTP_HOST", "127.0.0.1");
        env.put("HERALD_SMTP_PORT", String.valueOf(smtpPort));
        env.put("HERALD_SMTP_CONNECTIONS", String.valueOf(options.smtpConnections()));
        env.put("HERALD_SMTP_BATCHES_HELD", String.valueOf(2 * options.smtpConnections()));
        // Herald's default fleet limits (10,000 messages/s) would cap it below what the floors reach here.
        env.put("HERALD_SMTP_MESSAGES_PER_SECOND", "1000000");
        env.put("HERALD_PUSH_MESSAGES_PER_SECOND", "1000000");
        env.putAll(environment);
        builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (emptyDatabase) {
            Files.writeString(log, "", StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        }
        process = builder.start();
        awaitReady();
    }

    /** kill -9: no shutdown hook runs, nothing is flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM, as Kubernetes stops a pod; waits for the process to exit. */
    void stop() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Herald exited; see " + log);
            }
            try {
                if (get("/q/health/ready").statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Herald was not ready within 60 s; see " + log);
    }

    /** Streams n generated customers, the first {@code withDevice} with a push device, through the import; answers the seconds it took. */
    double importCustomers(long n, long withDevice) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/customers/import"))
                .header("Content-Type", "application/x-ndjson").header("Authorization", "Bearer " + operator)
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new CustomerGenerator(n, withDevice, CustomerGenerator.Format.NDJSON)))
                .timeout(Duration.ofHours(2))
                .build(), HttpResponse.BodyHandlers.ofString());
        double seconds = (System.nanoTime() - start) / 1e9;
        JsonNode report = check(response, 200);
        if (report.get("inserted").asLong() != n) {
            throw new IllegalStateException("Import inserted " + report.get("inserted") + " of " + n + ": " + response.body());
        }
        return seconds;
    }

    /** The sample notice (samples/notice.json), addressed to every customer. */
    long createNotice() throws Exception {
        return check(post("/v1/notices", Files.readString(Path.of("samples/notice.json"))), 201).get("id").asLong();
    }

    /** The sample notice sent by push alone, to the customers that have a device. */
    long createPushNotice() throws Exception {
        ObjectNode notice = sampleNotice("push benchmark", "PUSH");
        notice.putObject("audience").putObject("criteria").put("tag", CustomerGenerator.PUSH_TAG);
        return check(post("/v1/notices", JSON.writeValueAsString(notice)), 201).get("id").asLong();
    }

    /** The sample notice to every customer by email, and by push to those with a device (no fallback). */
    long createEmailAndPushNotice() throws Exception {
        return check(post("/v1/notices", JSON.writeValueAsString(sampleNotice("email and push", "EMAIL", "PUSH"))), 201)
                .get("id").asLong();
    }

    private static ObjectNode sampleNotice(String name, String... channels) throws IOException {
        ObjectNode notice = (ObjectNode) JSON.readTree(Path.of("samples/notice.json").toFile());
        notice.put("name", name);
        notice.remove("fallback");
        ArrayNode list = notice.putArray("channels");
        for (String channel : channels) {
            list.add(channel);
        }
        return notice;
    }

    /** Herald's push configuration as environment variables, pointing at the FCM stand-in. */
    static Map<String, String> environment(FcmStandIn fcm) {
        Map<String, String> environment = new HashMap<>();
        fcm.configuration().forEach((key, value) ->
                environment.put(key.toUpperCase().replace('.', '_').replace('-', '_'), value));
        return environment;
    }

    /** Waits for the notice to complete; answers it. */
    JsonNode awaitCompleted(long noticeId, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            JsonNode notice = notice(noticeId);
            if (notice.get("status").asText().equals("COMPLETED")) {
                return notice;
            }
            if (System.nanoTime() > deadline || !isAlive()) {
                throw new IllegalStateException("Notice " + noticeId + " did not complete: " + notice.get("progress"));
            }
            Thread.sleep(250);
        }
    }

    /** Approves the notice as a second operator (the two-person rule), then dispatches it. */
    /**
     * About the size of the notice's messages before any is sent, for a floor run ahead of Herald's: its
     * preview for one customer, both parts base64 in 76-character lines, and about 900 bytes of headers.
     */
    int estimatedMessageBytes(long noticeId, String customerId) throws Exception {
        JsonNode preview = check(post("/v1/notices/" + noticeId + "/preview",
                JSON.writeValueAsString(Map.of("customerId", customerId))), 200);
        return 900 + base64Bytes(preview.get("text").asText()) + base64Bytes(preview.get("html").asText());
    }

    private static int base64Bytes(String text) {
        int encoded = (text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 2) / 3 * 4;
        return encoded + (encoded + 75) / 76 * 2;
    }

    void dispatch(long noticeId) throws Exception {
        check(send("/v1/notices/" + noticeId + "/approve", "", approver), 200);
        check(post("/v1/notices/" + noticeId + "/dispatch", ""), 202);
    }

    JsonNode notice(long noticeId) throws Exception {
        return check(get("/v1/notices/" + noticeId), 200);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + operator)
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return send(path, json, operator);
    }

    private HttpResponse<String> send(String path, String json, String token) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(json)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode check(HttpResponse<String> response, int expected) throws IOException {
        if (response.statusCode() != expected) {
            throw new IllegalStateException(response.request().uri() + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return JSON.readTree(response.body());
    }

    Connection database() throws Exception {
        return DriverManager.getConnection(jdbcUrl(), "herald", "herald");
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:5432/" + options.database();
    }
}
