package dev.herald.cli;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;

/** pause, resume and cancel: one POST each, answered with the notice's new status. */
abstract class ControlCommand extends NoticeIdCommand {

    @Override
    public Integer call() {
        JsonNode notice = connection.client().post("/v1/notices/" + id + "/" + spec.name(), null);
        out().printf("notice %d %s%n", id, notice.path("status").asText());
        return ExitCode.OK;
    }

    @Command(name = "pause", description = "Stop sending for now; every pod stops within about a second.")
    static final class Pause extends ControlCommand {
    }

    @Command(name = "resume", description = "Carry on sending a PAUSED notice.")
    static final class Resume extends ControlCommand {
    }

    @Command(name = "cancel", description = "Cancel what is not sent yet; what was sent stays sent.")
    static final class Cancel extends ControlCommand {
    }
}
