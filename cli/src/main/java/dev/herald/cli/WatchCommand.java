package dev.herald.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "watch", description = "Follow a notice to its end: percent, rate, ETA, counts by channel and status, "
        + "failures by reason. Exit 0 when it COMPLETED.")
final class WatchCommand extends NoticeIdCommand {

    @Mixin
    WatchOptions options;

    @Override
    public Integer call() throws InterruptedException {
        return new Watcher(connection.client(), out(), options).watch(id);
    }
}
