package dev.herald.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.junit.jupiter.api.Test;

import dev.herald.support.Fixtures;
import dev.herald.support.HeraldTest;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;

/**
 * What an operator sees of a dispatch without reading the database: one trace from the REST call across
 * the broker to the send, and meters at /q/metrics.
 */
@HeraldTest
class ObservabilityTest {

    /** Spans are kept in memory here instead of going to a collector. */
    static final class Exporter {
        @Produces
        @Singleton
        InMemorySpanExporter spans() {
            return InMemorySpanExporter.create();
        }
    }

    @Inject
    InMemorySpanExporter spans;

    @Test
    void theConsumerOfABatchSharesTheTraceOfItsPublish() {
        Fixtures.importCustomers("traced", 3);
        Fixtures.dispatchToTag("traced");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<SpanData> finished = spans.getFinishedSpanItems();
            List<SpanData> published = finished.stream().filter(s -> s.getKind() == SpanKind.PRODUCER).toList();
            List<SpanData> consumed = finished.stream().filter(s -> s.getKind() == SpanKind.CONSUMER).toList();
            assertThat(published).isNotEmpty();
            assertThat(consumed).anySatisfy(consumer -> assertThat(published).anySatisfy(producer -> {
                assertThat(consumer.getTraceId()).isEqualTo(producer.getTraceId());
                assertThat(consumer.getParentSpanId()).isEqualTo(producer.getSpanId());
            }));
            assertThat(finished).as("the REST call is traced too")
                    .anySatisfy(s -> assertThat(s.getKind()).isEqualTo(SpanKind.SERVER));
        });
    }

    @Test
    void aDispatchShowsInTheMetrics() {
        Fixtures.importCustomers("metered", 4);
        Fixtures.dispatchToTag("metered");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertThat(metrics)
                    .containsPattern("herald_deliveries_total\\{channel=\"email\",outcome=\"sent\"[^}]*} [1-9]")
                    .containsPattern("herald_provider_answers_total\\{channel=\"email\",code=\"250\"[^}]*} [1-9]")
                    .contains("herald_send_duration_seconds_bucket{channel=\"email\"")
                    .containsPattern("herald_planned_deliveries_total(\\{[^}]*})? [1-9]")
                    .containsPattern("herald_imported_rows_total(\\{[^}]*})? [1-9]")
                    .containsPattern("herald_notices\\{status=\"COMPLETED\"[^}]*} [1-9]")
                    .as("a notice id is a tag only on the per-notice progress gauges")
                    .doesNotContainPattern("herald_deliveries_total\\{[^}]*notice=");
        });
    }
}
