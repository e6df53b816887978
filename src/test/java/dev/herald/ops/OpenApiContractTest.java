package dev.herald.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.herald.support.HeraldTest;

/** openapi.yaml at the repository root is the contract: it must equal what the service serves. */
@HeraldTest
class OpenApiContractTest {

    private static final Path CONTRACT = Path.of("openapi.yaml");
    private static final Path SERVED = Path.of("target", "openapi-served.yaml");

    @Test
    void theServedDocumentEqualsTheContract() throws Exception {
        String served = given().accept("application/yaml").get("/q/openapi")
                .then().statusCode(200).extract().asString();
        Files.writeString(SERVED, served, StandardCharsets.UTF_8);
        assertThat(Files.exists(CONTRACT)).as("openapi.yaml at the repository root").isTrue();
        assertThat(served.strip())
                .as("the served OpenAPI document differs from openapi.yaml; if the change is intended, "
                        + "review it and run: cp %s %s", SERVED, CONTRACT)
                .isEqualTo(Files.readString(CONTRACT, StandardCharsets.UTF_8).strip());
    }
}
