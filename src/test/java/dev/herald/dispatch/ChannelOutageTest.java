package dev.herald.dispatch;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.herald.support.DefaultToken;
import dev.herald.support.Fixtures;
import dev.herald.support.StoppableSmtpServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;

/**
 * A relay outage is not a delivery failure: the relay goes away mid-send for longer than the whole
 * retry budget (3 attempts, 1 to 2 s apart), the channel pauses and says why, and once the relay is
 * back every delivery ends SENT, none FAILED, none twice.
 */
@QuarkusTest
@ExtendWith(DefaultToken.class)
@TestProfile(ChannelOutageTest.CrashingRelay.class)
class ChannelOutageTest {

    private static final int CUSTOMERS = 400;

    public static class CrashingRelay implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(StoppableSmtpServer.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("herald.retry.max-attempts", "3");
        }
    }

    @Test
    void everyDeliveryIsSentOnceTheRelayIsBackAndNoneFails() throws Exception {
        Fixtures.importCustomers("outage", CUSTOMERS);
        Fixtures.emailLimit(100, 2);
        long notice = Fixtures.dispatchToTag("outage");
        await().atMost(Duration.ofSeconds(30)).until(() -> StoppableSmtpServer.accepted().size() >= 50);

        StoppableSmtpServer.goDown();
        Thread.sleep(3_000);
        JsonPath during = progress(notice);
        assertThat(during.getList("pausedChannels.channel")).containsExactly("EMAIL");
        assertThat(during.getString("pausedChannels[0].message"))
                .startsWith("email channel paused: SMTP relay 127.0.0.1:");
        // Longer than every retry delay put together: a delivery failed by the outage would be FAILED by now.
        Thread.sleep(10_000);
        during = progress(notice);
        assertThat(during.getMap("byStatus")).doesNotContainKey("FAILED");
        assertThat(during.getInt("byStatus.SENT")).isLessThan(CUSTOMERS);

        StoppableSmtpServer.comeBack();
        Fixtures.emailLimit(10_000, 4);
        Fixtures.awaitCompleted(notice, Duration.ofSeconds(60));

        JsonPath done = progress(notice);
        assertThat(done.getInt("byStatus.SENT")).isEqualTo(CUSTOMERS);
        assertThat(done.getMap("byStatus")).hasSize(1);
        assertThat(done.getList("pausedChannels")).isEmpty();
        Map<String, Long> perRecipient = StoppableSmtpServer.accepted().stream()
                .filter(r -> r.endsWith("@outage.example"))
                .collect(Collectors.groupingBy(r -> r, Collectors.counting()));
        assertThat(perRecipient).hasSize(CUSTOMERS);
        assertThat(perRecipient.values()).allMatch(count -> count == 1);
    }

    private static JsonPath progress(long notice) {
        return given().get("/v1/notices/{id}/progress", notice).then().statusCode(200).extract().jsonPath();
    }
}
