package dev.herald.cli;

import java.io.PrintWriter;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "dispatch", description = "Start sending a DRAFT notice; a notice already dispatched is left as it "
        + "is (safe to re-run). With --watch, follow it to its end.")
final class DispatchCommand extends NoticeIdCommand {

    @Mixin
    WatchOptions options;
    @Option(names = "--watch", description = "follow the notice to its end")
    boolean watch;

    @Override
    public Integer call() throws InterruptedException {
        HeraldClient client = connection.client();
        dispatchOnce(client, out(), id, options.interval);
        return watch ? new Watcher(client, out(), options).watch(id) : ExitCode.OK;
    }

    /**
     * Dispatches the notice if it is still a DRAFT. A notice over the two-person threshold waits here,
     * saying so, until another operator approves it.
     */
    static void dispatchOnce(HeraldClient client, PrintWriter out, long id, Duration interval) throws InterruptedException {
        boolean told = false;
        while (true) {
            JsonNode notice = client.get("/v1/notices/" + id);
            if (!"DRAFT".equals(notice.path("status").asText())) {
                out.printf("notice %d is already %s (dispatched by %s); watching it, not dispatching again%n", id,
                        notice.path("status").asText(), notice.path("dispatchedBy").asText("?"));
                return;
            }
            try {
                JsonNode dispatched = client.post("/v1/notices/" + id + "/dispatch", null);
                out.printf("notice %d %s, dispatched by %s%n", id, dispatched.path("status").asText(),
                        dispatched.path("dispatchedBy").asText());
                return;
            } catch (HeraldClient.Refused refused) {
                if (refused.status != 409 || !refused.getMessage().contains("it must be approved")) {
                    throw refused;
                }
                if (!told) {
                    out.printf("notice %d waits for a second operator's approval: herald notice approve %d%n", id, id);
                    out.flush();
                    told = true;
                }
                Thread.sleep(interval.toMillis());
            }
        }
    }
}
