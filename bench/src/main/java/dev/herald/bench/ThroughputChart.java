package dev.herald.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/** Draws emails accepted per second against seconds since dispatch, as an SVG file. */
final class ThroughputChart {

    private ThroughputChart() {
    }

    static void write(Path file, Map<Long, LongAdder> perSecond, long dispatchedAtMillis, String title) throws IOException {
        TreeMap<Long, Long> points = new TreeMap<>();
        long firstSecond = dispatchedAtMillis / 1000;
        perSecond.forEach((second, count) -> points.put(second - firstSecond, count.sum()));
        long lastX = points.isEmpty() ? 1 : Math.max(1, points.lastKey());
        long maxY = Math.max(1, points.values().stream().mapToLong(Long::longValue).max().orElse(1));
        long yTop = niceCeiling(maxY);
        int width = 800;
        int height = 400;
        int left = 70;
        int bottom = 50;
        int plotW = width - left - 20;
        int plotH = height - bottom - 40;
        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" font-family=\"sans-serif\" font-size=\"12\">\n")
                .append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n")
                .append("<text x=\"").append(left).append("\" y=\"22\" font-size=\"15\">").append(title).append("</text>\n");
        for (int i = 0; i <= 5; i++) {
            long value = yTop * i / 5;
            int y = 40 + plotH - (int) (plotH * i / 5.0);
            svg.append("<line x1=\"").append(left).append("\" x2=\"").append(left + plotW).append("\" y1=\"").append(y)
                    .append("\" y2=\"").append(y).append("\" stroke=\"#ddd\"/>\n")
                    .append("<text x=\"").append(left - 8).append("\" y=\"").append(y + 4)
                    .append("\" text-anchor=\"end\">").append(value).append("</text>\n");
        }
        for (int i = 0; i <= 10; i++) {
            long value = lastX * i / 10;
            int x = left + (int) (plotW * i / 10.0);
            svg.append("<text x=\"").append(x).append("\" y=\"").append(height - bottom + 18)
                    .append("\" text-anchor=\"middle\">").append(value).append("</text>\n");
        }
        svg.append("<text x=\"").append(left + plotW / 2).append("\" y=\"").append(height - 12)
                .append("\" text-anchor=\"middle\">seconds since dispatch</text>\n")
                .append("<text transform=\"translate(16,").append(40 + plotH / 2)
                .append(") rotate(-90)\" text-anchor=\"middle\">emails accepted per second</text>\n")
                .append("<polyline fill=\"none\" stroke=\"#1f6feb\" stroke-width=\"2\" points=\"");
        for (long x = 0; x <= lastX; x++) {
            long y = points.getOrDefault(x, 0L);
            svg.append(left + plotW * x / (double) lastX).append(',')
                    .append(40 + plotH - plotH * y / (double) yTop).append(' ');
        }
        svg.append("\"/>\n</svg>\n");
        Files.writeString(file, svg);
    }

    private static long niceCeiling(long value) {
        long magnitude = (long) Math.pow(10, Math.floor(Math.log10(value)));
        for (long step : new long[] { 1, 2, 5, 10 }) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }
}
