package dev.herald.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.herald.ops.Sha256;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "notice", description = "Create, preview and approve breach notices.",
        subcommands = { NoticeCommand.Create.class, NoticeCommand.Preview.class, NoticeCommand.Approve.class })
final class NoticeCommand {

    @Command(name = "create", description = "Create a notice (DRAFT) from a JSON file; creating the same file again "
            + "answers the same notice (its Idempotency-Key is the file's SHA-256 unless --idempotency-key is given).")
    static final class Create implements java.util.concurrent.Callable<Integer> {
        @Mixin
        HeraldCli.Connection connection;
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", description = "the notice, as POST /v1/notices takes it")
        Path file;
        @Option(names = "--idempotency-key")
        String key;

        @Override
        public Integer call() throws IOException {
            printCreated(create(connection.client(), file, key), spec.commandLine().getOut(),
                    spec.commandLine().getErr());
            return ExitCode.OK;
        }
    }

    /** The notice's line, then its warnings on {@code err}, so that a script reading the line is not confused by them. */
    static void printCreated(JsonNode notice, PrintWriter out, PrintWriter err) {
        out.printf("notice %d \"%s\" %s%n", notice.path("id").asLong(), notice.path("name").asText(),
                notice.path("status").asText());
        out.flush();
        notice.path("warnings").forEach(w -> err.println("warning: " + w.asText()));
        err.flush();
    }

    static JsonNode create(HeraldClient client, Path file, String key) throws IOException {
        String body = Files.readString(file);
        return client.post("/v1/notices", body, key != null ? key : "herald-cli-" + sha256(body));
    }

    private static String sha256(String text) {
        return HexFormat.of().formatHex(Sha256.of(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Command(name = "preview", description = "The email one customer would receive.")
    static final class Preview extends NoticeIdCommand {
        @Parameters(index = "1", description = "the customer id")
        String customer;

        @Override
        public Integer call() throws IOException {
            JsonNode email = connection.client().post("/v1/notices/" + id + "/preview",
                    HeraldClient.JSON.writeValueAsString(Map.of("customerId", customer)));
            PrintWriter out = out();
            out.println("Locale:  " + email.path("locale").asText());
            out.println("Subject: " + email.path("subject").asText());
            out.println();
            out.println(email.path("text").asText());
            return ExitCode.OK;
        }
    }

    @Command(name = "approve", description = "Approve a notice for dispatch, as the second operator of the two-person rule.")
    static final class Approve extends NoticeIdCommand {

        @Override
        public Integer call() {
            JsonNode notice = connection.client().post("/v1/notices/" + id + "/approve", null);
            out().printf("notice %d approved by %s%n", id, notice.path("approvedBy").asText());
            return ExitCode.OK;
        }
    }
}
