package dev.herald.notice;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.support.Fixtures;
import dev.herald.support.HeraldTest;
import dev.herald.support.Tokens;
import io.restassured.RestAssured;

/** GET /v1/notices/{id}/progress as server-sent events: progress while the notice runs, ending with its end. */
@HeraldTest
class ProgressEventsTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aSupportCallerFollowsANoticeToItsEndAndTheStreamCloses() throws Exception {
        Fixtures.importCustomers("followed", 40);
        long notice = Fixtures.dispatchToTag("followed");
        HttpResponse<InputStream> stream = events(notice, Tokens.of("sue", "support"));
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");

        List<JsonNode> received = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("data:")) {
                    received.add(JSON.readTree(line.substring(5)));
                }
            }
        }
        assertThat(received).isNotEmpty();
        JsonNode last = received.get(received.size() - 1);
        assertThat(last.path("status").asText()).isEqualTo("COMPLETED");
        assertThat(last.path("finished").asLong()).isEqualTo(40).isEqualTo(last.path("total").asLong());
        assertThat(received).extracting(e -> e.path("finished").asLong()).isSorted();
        assertThat(received.subList(0, received.size() - 1)).extracting(e -> e.path("status").asText())
                .as("only the last event shows the notice finished").doesNotContain("COMPLETED", "CANCELLED");
    }

    @Test
    void anUnknownNoticeIsRefusedBeforeTheStreamStarts() throws Exception {
        HttpResponse<InputStream> stream = events(987_654_321L, Tokens.of("sue", "support"));
        assertThat(stream.statusCode()).isEqualTo(404);
        assertThat(stream.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        stream.body().close();
    }

    private static HttpResponse<InputStream> events(long notice, String token) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/v1/notices/"
                + notice + "/progress")).header("Accept", "text/event-stream").header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(60)).GET().build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
    }
}
