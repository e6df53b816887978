package dev.herald.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "run", description = "The mass-notification Job: create the notice from FILE (idempotent), dispatch it "
        + "unless it already was, and watch it to its end. A Job that restarts picks up the same notice.")
final class RunCommand implements Callable<Integer> {

    @Mixin
    HeraldCli.Connection connection;
    @Mixin
    WatchOptions options;
    @Spec
    CommandSpec spec;
    @Parameters(index = "0", description = "the notice, as POST /v1/notices takes it")
    Path file;

    @Override
    public Integer call() throws IOException, InterruptedException {
        HeraldClient client = connection.client();
        PrintWriter out = spec.commandLine().getOut();
        JsonNode notice = NoticeCommand.create(client, file, null);
        long id = notice.path("id").asLong();
        NoticeCommand.printCreated(notice, out, spec.commandLine().getErr());
        DispatchCommand.dispatchOnce(client, out, id, options.interval);
        return new Watcher(client, out, options).watch(id);
    }
}
