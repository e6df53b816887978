package dev.herald.cli;

import java.time.Duration;

import picocli.CommandLine.Option;

/** How a notice is watched to its end. */
final class WatchOptions {

    @Option(names = "--interval", defaultValue = "5s", converter = HeraldCli.DurationConverter.class,
            description = "how often progress is read and, off a terminal, printed (default ${DEFAULT-VALUE})")
    Duration interval;

    @Option(names = "--max-failed-percent", defaultValue = "100",
            description = "exit 5 when more than this share of deliveries failed or bounced (default ${DEFAULT-VALUE})")
    double maxFailedPercent;
}
