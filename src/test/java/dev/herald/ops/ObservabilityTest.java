package dev.herald.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
        double plannedBefore = planned();
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
            assertThat(planned()).as("every planned delivery counted").isGreaterThanOrEqualTo(plannedBefore + 4);
        });
    }

    private static double planned() {
        Matcher value = Pattern.compile("herald_planned_deliveries_total(?:\\{[^}]*})? ([0-9.E+-]+)")
                .matcher(given().get("/q/metrics").then().statusCode(200).extract().asString());
        return value.find() ? Double.parseDouble(value.group(1)) : 0;
    }

    /** The alert rules and the dashboard name only meters Herald declares (as Prometheus spells them). */
    @Test
    void theAlertsAndTheDashboardNameOnlyMetersHeraldDeclares() throws IOException {
        Set<String> declared = new HashSet<>();
        try (var sources = Files.walk(Path.of("src/main/java"))) {
            for (Path source : sources.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher name = Pattern.compile("\"(herald(\\.[a-z]+)+)\"").matcher(Files.readString(source));
                while (name.find()) {
                    declared.add(name.group(1).replace('.', '_'));
                }
            }
        }
        for (String file : List.of("k8s/monitoring/prometheus-rules.yaml", "k8s/monitoring/grafana-dashboard.json")) {
            Matcher used = Pattern.compile("herald_[a-z_]+").matcher(Files.readString(Path.of(file)));
            int uses = 0;
            while (used.find()) {
                uses++;
                assertThat(declared).as(file).contains(used.group().replaceFirst("(_seconds)?_(total|bucket|count|sum)$", ""));
            }
            assertThat(uses).as(file).isPositive();
        }
    }
}
