package dev.herald.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.herald.support.DefaultToken;
import dev.herald.support.Fixtures;
import dev.herald.support.PushStandIns;
import dev.herald.support.SmtpServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A pod started with the "api" profile (QUARKUS_PROFILE=prod,api in the large overlay) serves callers
 * but never plans or sends: a notice it accepts waits for a sending pod.
 */
@QuarkusTest
@ExtendWith(DefaultToken.class)
@TestProfile(PodRolesTest.ApiOnly.class)
class PodRolesTest {

    /** The test profile with the api profile's settings on top, as application.properties writes them. */
    public static class ApiOnly implements QuarkusTestProfile {
        @Override
        public String getConfigProfile() {
            return "test,api";
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SmtpServer.class), new TestResourceEntry(PushStandIns.class));
        }
    }

    @Test
    void anApiPodAcceptsADispatchButNeitherPlansNorSendsIt() {
        Fixtures.importCustomers("api-only", 5);
        long notice = Fixtures.dispatchToTag("api-only");
        try {
            // A sending pod's loop would have planned and sent five emails well within this time.
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).untilAsserted(() -> {
                given().get("/v1/notices/{id}", notice).then().statusCode(200).body("status", equalTo("DISPATCHING"))
                        .body("progress.finished", equalTo(0));
                assertThat(SmtpServer.receivedFor("@api-only.example")).isEmpty();
            });
            given().get("/v1/customers/{id}/deliveries", "api-only-1").then().statusCode(200);
            given().get("/q/health/ready").then().statusCode(200);
        } finally {
            // so that no later test's sending pod picks it up
            given().post("/v1/notices/{id}/cancel", notice);
        }
    }
}
