package dev.herald.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The company's OpenID Connect provider, as far as Herald reads it before anyone signs in: its
 * discovery document (OpenID Connect Discovery 1.0, section 4) and its keys. Signing in itself happens
 * at the provider, in the browser, and is not played here.
 */
public class OidcStandIn implements QuarkusTestResourceLifecycleManager {

    public static final String REALM = "/realms/company";
    public static final String CLIENT = "herald-console";
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        String issuer = "http://127.0.0.1:" + server.getAddress().getPort() + REALM;
        String base = issuer + "/protocol/openid-connect";
        server.createContext(REALM + "/.well-known/openid-configuration", exchange -> json(exchange, """
                {"issuer": "%1$s", "authorization_endpoint": "%2$s/auth", "token_endpoint": "%2$s/token",
                 "jwks_uri": "%2$s/certs", "userinfo_endpoint": "%2$s/userinfo", "end_session_endpoint": "%2$s/logout",
                 "response_types_supported": ["code"], "subject_types_supported": ["public"],
                 "id_token_signing_alg_values_supported": ["RS256"]}""".formatted(issuer, base)));
        server.createContext(REALM + "/protocol/openid-connect/certs", exchange -> json(exchange, "{\"keys\": []}"));
        server.start();
        return Map.of("quarkus.oidc.tenant-enabled", "true", "quarkus.oidc.auth-server-url", issuer,
                "quarkus.oidc.client-id", CLIENT, "quarkus.oidc.credentials.secret", "a-test-secret-of-32-characters-at-least");
    }

    private static void json(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }
}
