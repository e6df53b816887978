package dev.herald.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.herald.support.Fixtures;
import dev.herald.support.HeraldTest;
import dev.herald.support.Tokens;
import io.agroal.api.AgroalDataSource;
import io.restassured.path.json.JsonPath;

/** The audit log keeps what happened whatever the service's own database role tries, and who read whose data. */
@HeraldTest
class AuditTrailTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void theServiceRoleCanOnlyAddToTheAuditLog() throws SQLException {
        given().contentType("application/json").body(Fixtures.notice("audit-guard", Map.of("criteria",
                Map.of("tag", "nobody")))).post("/v1/notices").then().statusCode(201);
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            for (String rewrite : List.of("TRUNCATE audit_log", "DELETE FROM audit_log", "UPDATE audit_log SET actor = 'x'",
                    "DROP TRIGGER audit_log_append_only ON audit_log", "ALTER TABLE audit_log DISABLE TRIGGER ALL",
                    "DROP TABLE audit_log")) {
                assertThatThrownBy(() -> s.execute(rewrite)).as(rewrite).isInstanceOf(SQLException.class)
                        .hasMessageMatching("(?s).*(permission denied|must be owner).*");
            }
            try (var r = s.executeQuery("SELECT count(*) FROM audit_log")) {
                r.next();
                assertThat(r.getLong(1)).isPositive();
            }
        }
    }

    @Test
    void supportReadingACustomerThroughTheApiIsAudited() {
        Fixtures.putCustomer("audit-read-1", Map.of("email", "audit-read-1@example.com", "tags", List.of("audit-read")));
        long notice = Fixtures.dispatchToTag("audit-read");
        Fixtures.awaitCompleted(notice, Duration.ofSeconds(30));
        String support = "Bearer " + Tokens.of("sue-audit", "support");
        given().header("Authorization", support).get("/v1/customers/audit-read-1").then().statusCode(200);
        long delivery = given().header("Authorization", support).get("/v1/customers/audit-read-1/deliveries")
                .then().statusCode(200).extract().jsonPath().getLong("deliveries[0].delivery.id");
        given().header("Authorization", support).get("/v1/customers/audit-read-1/devices").then().statusCode(200);
        given().header("Authorization", support).get("/v1/notices/{n}/deliveries/{d}/content", notice, delivery)
                .then().statusCode(200);
        given().header("Authorization", support).get("/v1/customers/nobody-at-all").then().statusCode(404);
        given().header("Authorization", support).get("/v1/notices/{n}/deliveries", notice).then().statusCode(200);
        given().header("Authorization", support).get("/v1/notices/{n}/unreached", notice).then().statusCode(200);
        // A calling service reading back what it wrote is not a person looking at someone's data.
        given().header("Authorization", "Bearer " + Tokens.of("svc-audit", "notifier"))
                .get("/v1/customers/audit-read-1").then().statusCode(200);

        JsonPath audit = given().queryParam("actor", "sue-audit").get("/v1/audit").then().statusCode(200).extract()
                .jsonPath();
        assertThat(audit.getList("items.action")).containsExactly("CUSTOMER_VIEWED", "CUSTOMER_VIEWED",
                "CUSTOMER_VIEWED", "CUSTOMER_VIEWED", "NOTICE_DELIVERIES_READ", "NOTICE_DELIVERIES_READ");
        assertThat(audit.getList("items.detail", String.class)).containsExactly(
                "audit-read-1: the customer record, through the API",
                "audit-read-1: deliveries and timelines, through the API",
                "audit-read-1: devices, through the API",
                "audit-read-1: what delivery " + delivery + " sent, through the API",
                "deliveries after 0: 1", "customers no channel reached, after the start: 0");
        assertThat(audit.getLong("items[3].noticeId")).isEqualTo(notice);
        assertThat(given().queryParam("actor", "svc-audit").get("/v1/audit").then().extract().jsonPath()
                .getList("items")).isEmpty();
    }

    @Test
    void aClientsOwnForwardedForIsNotTakenAsItsAddress() {
        String forger = "Bearer " + Tokens.of("xff-forger", "notifier");
        given().header("Authorization", forger).header("X-Forwarded-For", "203.0.113.66")
                .header("Forwarded", "for=203.0.113.67").contentType("application/json")
                .body(Fixtures.notice("xff", Map.of("criteria", Map.of("tag", "nobody")))).post("/v1/notices")
                .then().statusCode(201);
        String address = given().queryParam("actor", "xff-forger").get("/v1/audit").then().statusCode(200).extract()
                .jsonPath().getString("items[0].address");
        assertThat(address).isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
        // Forwarding without a list of trusted proxies would trust every client: Herald does not start so.
        assertThatThrownBy(() -> ForwardedAddressTrust.requireTrustedProxies(true, Optional.empty()))
                .hasMessageContaining("quarkus.http.proxy.trusted-proxies lists no proxy");
        ForwardedAddressTrust.requireTrustedProxies(false, Optional.empty());
        ForwardedAddressTrust.requireTrustedProxies(true, Optional.of(List.of("10.0.0.0/8")));
    }
}
