package dev.herald.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.herald.support.DefaultToken;
import dev.herald.support.PushStandIns;
import dev.herald.support.SmtpServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** A pod started with the "worker" profile (QUARKUS_PROFILE=prod,worker) answers no API call and no page. */
@QuarkusTest
@ExtendWith(DefaultToken.class)
@TestProfile(WorkerPodTest.Worker.class)
class WorkerPodTest {

    public static class Worker implements QuarkusTestProfile {
        @Override
        public String getConfigProfile() {
            return "test,worker";
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(SmtpServer.class), new TestResourceEntry(PushStandIns.class));
        }
    }

    @Test
    void aWorkerServesNeitherTheApiNorTheConsoleButAnswersItsProbes() {
        for (String path : List.of("/v1/notices", "/v1/customers/anyone", "/v1/audit")) {
            given().get(path).then().statusCode(404).contentType("application/problem+json")
                    .body("detail", equalTo("this pod is a worker: it sends notices but serves no API; call Herald's"
                            + " API through its Service"));
        }
        // The console tells people in a page of its own.
        for (String path : List.of("/console", "/console/customers")) {
            given().get(path).then().statusCode(404).contentType("text/html;charset=UTF-8")
                    .body(containsString("this pod is a worker"));
        }
        given().contentType("application/json").body("{}").post("/v1/notices").then().statusCode(404);
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
    }
}
