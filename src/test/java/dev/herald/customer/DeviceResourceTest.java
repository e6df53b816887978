package dev.herald.customer;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.herald.support.Fixtures;
import dev.herald.support.HeraldTest;
import io.restassured.http.ContentType;

@HeraldTest
class DeviceResourceTest {

    private static final String APNS_TOKEN = "0123456789abcdef".repeat(4);

    @Test
    void aTokenRegisteredForAnotherCustomerMovesToThem() {
        Fixtures.putCustomer("dev-ana", Map.of("email", "ana@devices.example"));
        Fixtures.putCustomer("dev-ben", Map.of("email", "ben@devices.example"));
        Map<String, Object> phone = Map.of("platform", "APNS", "token", APNS_TOKEN, "appId", "com.example.app",
                "sandbox", true);
        long id = given().contentType(ContentType.JSON).body(phone).post("/v1/customers/{id}/devices", "dev-ana")
                .then().statusCode(201)
                .body("customerId", equalTo("dev-ana")).body("active", equalTo(true)).body("sandbox", equalTo(true))
                .extract().jsonPath().getLong("id");
        given().contentType(ContentType.JSON).body(phone).post("/v1/customers/{id}/devices", "dev-ana")
                .then().statusCode(200).body("id", equalTo((int) id));

        given().contentType(ContentType.JSON).body(phone).post("/v1/customers/{id}/devices", "dev-ben")
                .then().statusCode(200).body("id", equalTo((int) id)).body("customerId", equalTo("dev-ben"));
        given().get("/v1/customers/{id}/devices", "dev-ana").then().statusCode(200).body("", hasSize(0));
        given().get("/v1/customers/{id}/devices", "dev-ben").then().statusCode(200).body("[0].token", equalTo(APNS_TOKEN));

        given().delete("/v1/customers/{id}/devices/{device}", "dev-ben", id).then().statusCode(204);
        given().get("/v1/customers/{id}/devices", "dev-ben").then().body("", hasSize(0));
        given().delete("/v1/customers/{id}/devices/{device}", "dev-ben", id).then().statusCode(404)
                .contentType("application/problem+json");
    }

    @Test
    void badDevicesAreRefusedNamingTheField() {
        Fixtures.putCustomer("dev-bad", Map.of());
        given().contentType(ContentType.JSON).body(Map.of("platform", "WINDOWS", "token", "t", "appId", "a"))
                .post("/v1/customers/{id}/devices", "dev-bad")
                .then().statusCode(400).contentType("application/problem+json")
                .body("errors[0].field", equalTo("platform"));
        given().contentType(ContentType.JSON).body(Map.of("platform", "APNS", "token", "not-hex", "appId", "com.example.app"))
                .post("/v1/customers/{id}/devices", "dev-bad")
                .then().statusCode(400).body("errors[0].field", equalTo("token"))
                .body("errors[0].message", containsString("hexadecimal"));
        given().contentType(ContentType.JSON).body(Map.of("platform", "FCM", "token", "tok"))
                .post("/v1/customers/{id}/devices", "dev-bad")
                .then().statusCode(400).body("errors.field", equalTo(List.of("appId")));
        given().contentType(ContentType.JSON).body(Map.of("platform", "FCM", "token", "tok", "appId", "a"))
                .post("/v1/customers/{id}/devices", "nobody-at-all")
                .then().statusCode(404).body("detail", equalTo("customer 'nobody-at-all' does not exist"));
        given().get("/v1/customers/{id}/devices", "dev-bad").then().body("", hasSize(0));
    }

    @Test
    void importsCarryDevicesInNdjsonAndCsv() {
        String ndjson = """
                {"id": "dev-imp-1", "devices": [{"platform": "FCM", "token": "fcm-imp-1", "appId": "com.example.app"}]}
                {"id": "dev-imp-2", "devices": [{"platform": "APNS", "token": "zz", "appId": "com.example.app"}]}
                {"id": "dev-imp-3", "devices": [{"platform": "FCM", "token": "fcm-imp-1", "appId": "com.example.app"}]}
                """;
        given().contentType("application/x-ndjson").body(ndjson.getBytes(StandardCharsets.UTF_8))
                .post("/v1/customers/import").then().statusCode(200)
                .body("inserted", equalTo(2)).body("rejected", equalTo(1))
                .body("rejections[0].line", equalTo(2))
                .body("rejections[0].reason", equalTo("devices[0].token: an APNS token is hexadecimal, 64 to 200 digits"));
        // The same token on two lines: the last line's customer has it.
        given().get("/v1/customers/{id}/devices", "dev-imp-1").then().body("", hasSize(0));
        given().get("/v1/customers/{id}/devices", "dev-imp-3").then().body("[0].token", equalTo("fcm-imp-1"));

        String csv = """
                id,email,device.platform,device.token,device.appId,device.sandbox
                dev-csv-1,c1@devices.example,APNS,%s,com.example.app,true
                dev-csv-2,c2@devices.example,FCM,fcm-csv-2,com.example.app,maybe
                """.formatted("ab".repeat(32));
        given().contentType("text/csv").body(csv.getBytes(StandardCharsets.UTF_8))
                .post("/v1/customers/import").then().statusCode(200)
                .body("inserted", equalTo(1)).body("rejected", equalTo(1))
                .body("rejections[0].reason", equalTo("device.sandbox: must be true or false"));
        given().get("/v1/customers/{id}/devices", "dev-csv-1").then()
                .body("[0].platform", equalTo("APNS")).body("[0].sandbox", equalTo(true));
    }
}
