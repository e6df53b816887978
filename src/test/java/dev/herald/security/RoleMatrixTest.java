package dev.herald.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.support.HeraldTest;
import dev.herald.support.Tokens;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;

/**
 * Every operation of the served contract (equal to openapi.yaml) against every role, and against the
 * tokens that must not get in. The expected roles are written out here, not read from the contract:
 * the contract is what the code says; this table is what the issue asks for.
 */
@HeraldTest
class RoleMatrixTest {

    private static final String NOTIFIER = "notifier";
    private static final String OPERATOR = "operator";
    private static final String SUPPORT = "support";
    private static final List<String> ROLES = List.of(NOTIFIER, OPERATOR, SUPPORT, "support-pii", "admin", "none");

    /** Who may call what; admin may call everything. */
    private static final Map<String, Set<String>> ALLOWED = new LinkedHashMap<>();
    static {
        ALLOWED.put("PUT /v1/customers/{id}", Set.of(NOTIFIER));
        ALLOWED.put("GET /v1/customers/{id}", Set.of(NOTIFIER, SUPPORT));
        ALLOWED.put("GET /v1/customers/{id}/deliveries", Set.of(SUPPORT));
        ALLOWED.put("POST /v1/customers/{id}/devices", Set.of(NOTIFIER));
        ALLOWED.put("GET /v1/customers/{id}/devices", Set.of(NOTIFIER, SUPPORT));
        ALLOWED.put("DELETE /v1/customers/{id}/devices/{deviceId}", Set.of(NOTIFIER));
        ALLOWED.put("POST /v1/customers/import", Set.of(NOTIFIER));
        ALLOWED.put("POST /v1/segments", Set.of(NOTIFIER));
        ALLOWED.put("GET /v1/segments/{id}", Set.of(NOTIFIER));
        ALLOWED.put("POST /v1/segments/count", Set.of(NOTIFIER));
        ALLOWED.put("POST /v1/notices", Set.of(NOTIFIER));
        ALLOWED.put("GET /v1/notices/{id}", Set.of(NOTIFIER, OPERATOR, SUPPORT));
        ALLOWED.put("POST /v1/notices/{id}/affected", Set.of(NOTIFIER));
        ALLOWED.put("POST /v1/notices/{id}/preview", Set.of(NOTIFIER));
        ALLOWED.put("POST /v1/notices/{id}/approve", Set.of(OPERATOR));
        ALLOWED.put("POST /v1/notices/{id}/dispatch", Set.of(OPERATOR));
        ALLOWED.put("POST /v1/notices/{id}/pause", Set.of(OPERATOR));
        ALLOWED.put("POST /v1/notices/{id}/resume", Set.of(OPERATOR));
        ALLOWED.put("POST /v1/notices/{id}/cancel", Set.of(OPERATOR));
        ALLOWED.put("GET /v1/notices/{id}/progress", Set.of(NOTIFIER, OPERATOR, SUPPORT));
        ALLOWED.put("GET /v1/notices/{id}/deliveries", Set.of(OPERATOR, SUPPORT));
        ALLOWED.put("GET /v1/notices/{id}/deliveries/{deliveryId}/content", Set.of(OPERATOR, SUPPORT));
        ALLOWED.put("GET /v1/notices/{id}/unreached", Set.of(OPERATOR, SUPPORT));
        ALLOWED.put("GET /v1/notices/{id}/evidence", Set.of(OPERATOR));
        ALLOWED.put("GET /v1/limits/{channel}", Set.of(OPERATOR));
        ALLOWED.put("PUT /v1/limits/{channel}", Set.of(OPERATOR));
        ALLOWED.put("GET /v1/limits/email/domains", Set.of(OPERATOR));
        ALLOWED.put("GET /v1/limits/email/domains/{group}", Set.of(OPERATOR));
        ALLOWED.put("PUT /v1/limits/email/domains/{group}", Set.of(OPERATOR));
        ALLOWED.put("DELETE /v1/limits/email/domains/{group}", Set.of(OPERATOR));
        ALLOWED.put("GET /v1/senders/readiness", Set.of(OPERATOR));
        ALLOWED.put("GET /v1/audit", Set.of());
    }

    /** Signed by the provider's secret instead of a token: tested in EmailEventsTest. */
    private static final Set<String> PUBLIC = Set.of("POST /v1/events/email");

    /** Every operation of the served contract as {method, path}. */
    private static List<String[]> operations() throws Exception {
        JsonNode contract = new ObjectMapper().readTree(given().accept("application/json").get("/q/openapi?format=json")
                .then().statusCode(200).extract().asString());
        List<String[]> operations = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = contract.get("paths").fields(); paths.hasNext();) {
            Map.Entry<String, JsonNode> path = paths.next();
            path.getValue().fieldNames().forEachRemaining(method -> operations.add(
                    new String[] { method.toUpperCase(), path.getKey() }));
        }
        return operations;
    }

    @Test
    void theTableCoversEveryOperationOfTheContract() throws Exception {
        Set<String> inContract = new TreeSet<>();
        operations().forEach(o -> inContract.add(o[0] + " " + o[1]));
        Set<String> inTable = new TreeSet<>(ALLOWED.keySet());
        inTable.addAll(PUBLIC);
        assertThat(inContract).isEqualTo(inTable);
    }

    @Test
    void everyRoleGetsExactlyTheOperationsItsJobNeeds() throws Exception {
        List<String> wrong = new ArrayList<>();
        Map<String, String> tokens = new HashMap<>();
        ROLES.forEach(role -> tokens.put(role, Tokens.of("matrix-" + role, role)));
        for (String[] operation : operations()) {
            String key = operation[0] + " " + operation[1];
            if (PUBLIC.contains(key)) {
                continue;
            }
            for (String role : ROLES) {
                boolean allowed = role.equals("admin") || ALLOWED.get(key).contains(role);
                Response response = call(operation, tokens.get(role));
                int status = response.statusCode();
                if (allowed ? status == 401 || status == 403 || status >= 500 : status != 403 || !isProblem(response)) {
                    wrong.add(key + " as " + role + ": " + status + " " + response.asString());
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void noTokenOrABadOneIsRefusedEverywhereWith401() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair otherKey = generator.generateKeyPair();
        long now = System.currentTimeMillis() / 1000;
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("no token", null);
        bad.put("expired", Jwt.issuer(Tokens.ISSUER).audience(Tokens.AUDIENCE).upn("late").groups("admin")
                .issuedAt(now - 7200).expiresAt(now - 3600).sign());
        bad.put("another issuer", Jwt.issuer("https://elsewhere.example").audience(Tokens.AUDIENCE).upn("x")
                .groups("admin").expiresIn(3600).sign());
        bad.put("another audience", Jwt.issuer(Tokens.ISSUER).audience("someone-else").upn("x").groups("admin")
                .expiresIn(3600).sign());
        bad.put("another key", Jwt.issuer(Tokens.ISSUER).audience(Tokens.AUDIENCE).upn("x").groups("admin")
                .expiresIn(3600).sign(otherKey.getPrivate()));
        bad.put("alg none", unsigned("{\"iss\":\"" + Tokens.ISSUER + "\",\"aud\":\"" + Tokens.AUDIENCE
                + "\",\"upn\":\"x\",\"groups\":[\"admin\"],\"exp\":" + (now + 3600) + "}"));
        bad.put("garbage", "not.a.jwt");
        List<String> wrong = new ArrayList<>();
        for (String[] operation : operations()) {
            if (PUBLIC.contains(operation[0] + " " + operation[1])) {
                continue;
            }
            bad.forEach((what, token) -> {
                Response response = call(operation, token);
                if (response.statusCode() != 401 || !isProblem(response)
                        || !"Bearer".equals(response.header("WWW-Authenticate"))) {
                    wrong.add(operation[0] + " " + operation[1] + " with " + what + ": " + response.statusCode());
                }
            });
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void healthMetricsAndTheContractNeedNoToken() {
        for (String path : List.of("/q/health/ready", "/q/metrics", "/q/openapi")) {
            given().header("Authorization", "").get(path).then().statusCode(200);
        }
    }

    private static String unsigned(String claims) {
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        return url.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + url.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".";
    }

    /**
     * The operation on things that do not exist, with a body that is refused: an allowed caller gets a
     * 4xx about the request, and nothing changes.
     */
    private static Response call(String[] operation, String token) {
        String path = operation[1].replace("{id}", operation[1].startsWith("/v1/customers") ? "matrix-nobody" : "999999999")
                .replace("{deviceId}", "999999999").replace("{deliveryId}", "999999999").replace("{channel}", "email")
                .replace("{group}", "matrix-nobody.example");
        RequestSpecification request = given().header("Authorization", token == null ? "" : "Bearer " + token);
        if (operation[1].endsWith("/import") || operation[1].endsWith("/affected")) {
            request = request.contentType("application/x-ndjson")
                    .body("{\"matrixProbe\": true}\n".getBytes(StandardCharsets.UTF_8));
        } else if (operation[0].equals("POST") || operation[0].equals("PUT")) {
            request = request.contentType("application/json").body("{\"matrixProbe\": true}");
        }
        return request.request(operation[0], path);
    }

    private static boolean isProblem(Response response) {
        return String.valueOf(response.contentType()).startsWith("application/problem+json");
    }
}
