package dev.herald.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Calls the two support lookups over and over while a notice is being sent, as support staff and an
 * operator's dashboard would, and keeps each answer's latency.
 */
final class LatencyProbe implements AutoCloseable {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Long> customerMicros = Collections.synchronizedList(new ArrayList<>());
    private final List<Long> progressMicros = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;
    private volatile boolean running = true;

    LatencyProbe(String base, String token, long noticeId, long customers) {
        thread = new Thread(() -> {
            SplittableRandom random = new SplittableRandom(7);
            while (running) {
                time(base + "/v1/customers/" + CustomerGenerator.id(random.nextLong(customers)) + "/deliveries",
                        token, customerMicros);
                time(base + "/v1/notices/" + noticeId + "/progress", token, progressMicros);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "latency-probe");
        thread.start();
    }

    private void time(String url, String token, List<Long> into) {
        long start = System.nanoTime();
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() == 200) {
                into.add((System.nanoTime() - start) / 1000);
            }
        } catch (Exception e) {
            // a refused call is not a latency; the run's verification catches real failures
        }
    }

    /** p50, p99 and max in milliseconds, and the number of calls. */
    static String summary(List<Long> micros) {
        List<Long> sorted = new ArrayList<>(micros);
        Collections.sort(sorted);
        if (sorted.isEmpty()) {
            return "no calls";
        }
        return String.format("p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d calls)", sorted.get(sorted.size() / 2) / 1000.0,
                sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * 0.99) - 1)) / 1000.0,
                sorted.get(sorted.size() - 1) / 1000.0, sorted.size());
    }

    static double p99Millis(List<Long> micros) {
        List<Long> sorted = new ArrayList<>(micros);
        Collections.sort(sorted);
        return sorted.isEmpty() ? Double.NaN
                : sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * 0.99) - 1)) / 1000.0;
    }

    List<Long> customerMicros() {
        return customerMicros;
    }

    List<Long> progressMicros() {
        return progressMicros;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join();
    }
}
