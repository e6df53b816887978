package dev.herald.cli;

import java.io.PrintWriter;
import java.text.DecimalFormat;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Follows a notice to its end: percent, rate, ETA, counts by channel and status, and the most common
 * reasons deliveries failed. A bar on a terminal; plain lines at each interval otherwise, as a Job's log
 * shows them. Returns the exit code its end deserves.
 */
final class Watcher {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final HeraldClient client;
    private final PrintWriter out;
    private final Duration interval;
    private final double maxFailedPercent;

    Watcher(HeraldClient client, PrintWriter out, WatchOptions options) {
        this.client = client;
        this.out = out;
        this.interval = options.interval;
        this.maxFailedPercent = options.maxFailedPercent;
    }

    int watch(long id) throws InterruptedException {
        ProgressBar bar = System.console() == null ? null : new ProgressBarBuilder().setTaskName("notice " + id)
                .setInitialMax(1).setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUnit(" deliveries", 1)
                .showSpeed(new DecimalFormat("#,##0")).build();
        String lastPause = null;
        int polls = 0;
        String failures = "";
        int settling = 0;
        try {
            while (true) {
                JsonNode notice = client.get("/v1/notices/" + id);
                JsonNode progress = notice.path("progress");
                String status = notice.path("status").asText();
                // the reasons show only on plain lines: a bar has no room for them
                if (bar == null && polls++ % 5 == 0 && progress.path("byStatus").path("FAILED").asLong() > 0) {
                    failures = failureReasons(id);
                }
                if (bar != null) {
                    bar.maxHint(Math.max(1, progress.path("total").asLong()));
                    bar.stepTo(progress.path("finished").asLong());
                    bar.setExtraMessage(" " + status + " " + counts(progress));
                } else {
                    out.println(line(id, status, progress));
                    if (!failures.isEmpty()) {
                        out.println("  failing: " + failures);
                    }
                    out.flush();
                }
                String pause = notice.path("pauseReason").asText(null);
                if ("PAUSED".equals(status) && pause != null && !pause.equals(lastPause)) {
                    out.println("  PAUSED: " + pause + " (resume with: herald resume " + id + ")");
                    lastPause = pause;
                }
                switch (status) {
                    case "COMPLETED" -> {
                        return ended(id, progress);
                    }
                    case "CANCELLED" -> {
                        if (progress.path("remaining").asLong() == 0 || settling++ == 60) {
                            out.printf("notice %d was CANCELLED: %s%n", id, counts(progress));
                            return ExitCode.CANCELLED;
                        }
                        // the pods are still turning what was not sent into CANCELLED: show where it ends
                        Thread.sleep(Math.min(interval.toMillis(), 1000));
                    }
                    case "DRAFT" -> {
                        out.printf("notice %d is a DRAFT: dispatch it first (herald dispatch %d)%n", id, id);
                        return ExitCode.REFUSED;
                    }
                    default -> Thread.sleep(interval.toMillis());
                }
            }
        } finally {
            if (bar != null) {
                bar.close();
            }
            out.flush();
        }
    }

    private int ended(long id, JsonNode progress) {
        long total = progress.path("total").asLong();
        long failed = progress.path("byStatus").path("FAILED").asLong() + progress.path("byStatus").path("BOUNCED").asLong();
        double percent = total == 0 ? 0 : 100.0 * failed / total;
        out.printf("notice %d COMPLETED: %s%n", id, counts(progress));
        JsonNode unreached = progress.path("substituteNotice");
        if (unreached.path("unreached").asLong() > 0) {
            out.printf("  %,d customers no channel reached (herald status, GET /v1/notices/%d/unreached)%n",
                    unreached.path("unreached").asLong(), id);
            unreached.path("byJurisdiction").forEach(j -> {
                if (j.path("substituteNoticeRequired").asBoolean()) {
                    out.println("  substitute notice: " + j.path("jurisdiction").asText() + ": " + j.path("why").asText());
                }
            });
        }
        if (percent > maxFailedPercent) {
            String failures = progress.path("byStatus").path("FAILED").asLong() > 0 ? failureReasons(id) : "";
            out.printf("%.2f%% of deliveries failed or bounced, more than --max-failed-percent %.2f%s%n", percent,
                    maxFailedPercent, failures.isEmpty() ? "" : "; " + failures);
            return ExitCode.TOO_MANY_FAILED;
        }
        return ExitCode.OK;
    }

    static String line(long id, String status, JsonNode p) {
        long total = p.path("total").asLong();
        long finished = p.path("finished").asLong();
        String eta = p.path("etaSeconds").isNumber() ? " ETA " + Duration.ofSeconds(p.path("etaSeconds").asLong())
                .toString().substring(2).toLowerCase() : "";
        String rate = p.path("ratePerSecond").isNumber() ? String.format(" %,.0f/s", p.path("ratePerSecond").asDouble()) : "";
        StringBuilder line = new StringBuilder(String.format("%s notice %d %s %5.1f%% %,d of %,d%s%s",
                LocalTime.now().format(CLOCK), id, status, total == 0 ? 0.0 : 100.0 * finished / total,
                finished, total, rate, eta));
        for (Iterator<Map.Entry<String, JsonNode>> channels = p.path("byChannel").fields(); channels.hasNext();) {
            Map.Entry<String, JsonNode> channel = channels.next();
            line.append(" | ").append(channel.getKey()).append(' ').append(counts(channel.getValue()));
        }
        p.path("pausedChannels").forEach(c -> line.append(" | ").append(c.path("channel").asText()).append(" PAUSED: ")
                .append(c.path("reason").asText()));
        return line.toString();
    }

    private static String counts(JsonNode progressOrChannel) {
        JsonNode byStatus = progressOrChannel.has("byStatus") ? progressOrChannel.path("byStatus") : progressOrChannel;
        StringBuilder counts = new StringBuilder();
        byStatus.fields().forEachRemaining(e -> counts.append(counts.length() == 0 ? "" : " ")
                .append(e.getKey()).append(' ').append(String.format("%,d", e.getValue().asLong())));
        return counts.toString();
    }

    /** The commonest reasons among a sample of failed deliveries. */
    private String failureReasons(long id) {
        Map<String, Integer> reasons = new TreeMap<>();
        for (JsonNode d : client.get("/v1/notices/" + id + "/deliveries?status=FAILED&limit=200").path("items")) {
            String reason = d.path("lastError").asText("unknown");
            reasons.merge(reason.length() > 80 ? reason.substring(0, 80) + "…" : reason, 1, Integer::sum);
        }
        Map<String, Integer> top = new LinkedHashMap<>();
        reasons.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(3)
                .forEach(e -> top.put(e.getKey(), e.getValue()));
        StringBuilder text = new StringBuilder();
        top.forEach((reason, n) -> text.append(text.length() == 0 ? "" : "; ").append(n).append(" × \"").append(reason)
                .append('"'));
        return text.toString();
    }
}
