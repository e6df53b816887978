package dev.herald.cli;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "import", description = "Stream customers from an NDJSON or CSV file (by its extension, or --type), "
        + "with progress; the refused lines go to a file.")
final class ImportCommand implements Callable<Integer> {

    @Mixin
    HeraldCli.Connection connection;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "the file: .ndjson/.jsonl or .csv")
    Path file;

    @Option(names = "--type", description = "ndjson or csv, when the extension does not say")
    String type;

    @Option(names = "--rejected", description = "where the refused lines are written (default: FILE.rejected.ndjson)")
    Path rejected;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        boolean csv = "csv".equalsIgnoreCase(type) || type == null && file.getFileName().toString().endsWith(".csv");
        long size = Files.size(file);
        JsonNode report;
        try (Progress progress = Progress.ofBytes(out, "import " + file.getFileName(), size)) {
            report = connection.client().stream("/v1/customers/import", csv ? "text/csv" : "application/x-ndjson", () -> {
                try {
                    return new Counting(Files.newInputStream(file), progress);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        out.printf("%s: %,d lines read, %,d inserted, %,d updated, %,d unchanged, %,d refused%n", file.getFileName(),
                report.path("received").asLong(), report.path("inserted").asLong(), report.path("updated").asLong(),
                report.path("unchanged").asLong(), report.path("rejected").asLong());
        if (report.path("rejected").asLong() > 0) {
            Path to = rejected != null ? rejected : file.resolveSibling(file.getFileName() + ".rejected.ndjson");
            StringBuilder lines = new StringBuilder();
            for (JsonNode r : report.path("rejections")) {
                lines.append(HeraldClient.JSON.writeValueAsString(r)).append('\n');
            }
            Files.writeString(to, lines);
            out.printf("refused lines, by number and reason: %s%s%n", to, report.path("rejections").size()
                    < report.path("rejected").asLong() ? " (the first " + report.path("rejections").size() + ")" : "");
        }
        return ExitCode.OK;
    }

    /** Counts the bytes and lines read into the progress display. */
    private static final class Counting extends FilterInputStream {
        private final Progress progress;
        private long lines;

        Counting(InputStream in, Progress progress) {
            super(in);
            this.progress = progress;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            for (int i = off; i < off + n; i++) {
                if (b[i] == '\n') {
                    lines++;
                }
            }
            if (n > 0) {
                progress.advance(n, String.format("%,d rows", lines));
            }
            return n;
        }
    }

    /**
     * A progress display: a bar on a terminal, a plain line every few seconds otherwise (a Job's log).
     */
    abstract static class Progress implements AutoCloseable {

        static Progress ofBytes(PrintWriter out, String task, long total) {
            if (System.console() != null) {
                ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                        .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUnit(" MiB", 1 << 20)
                        .showSpeed(new DecimalFormat("#,##0.0")).build();
                return new Progress() {
                    @Override
                    void advance(long by, String message) {
                        bar.stepBy(by);
                        bar.setExtraMessage(" " + message);
                    }

                    @Override
                    public void close() {
                        bar.close();
                    }
                };
            }
            return new Progress() {
                private long done;
                private long lastPrinted = System.nanoTime();

                @Override
                void advance(long by, String message) {
                    done += by;
                    if (System.nanoTime() - lastPrinted > 5_000_000_000L) {
                        lastPrinted = System.nanoTime();
                        out.printf("%s: %,d of %,d bytes (%d%%), %s%n", task, done, total,
                                total == 0 ? 100 : done * 100 / total, message);
                        out.flush();
                    }
                }

                @Override
                public void close() {
                    out.printf("%s: %,d bytes sent%n", task, done);
                }
            };
        }

        abstract void advance(long by, String message);

        @Override
        public abstract void close();
    }
}
