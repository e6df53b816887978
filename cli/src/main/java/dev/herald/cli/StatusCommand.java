package dev.herald.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "status", description = "What support sees for one customer: every notice they were sent, per "
        + "channel, with its timeline.")
final class StatusCommand implements Callable<Integer> {

    @Mixin
    HeraldCli.Connection connection;
    @Spec
    CommandSpec spec;
    @Parameters(index = "0", description = "the customer id")
    String customer;

    @Override
    public Integer call() {
        JsonNode answer = connection.client().get("/v1/customers/" + customer + "/deliveries");
        PrintWriter out = spec.commandLine().getOut();
        if (answer.path("deliveries").isEmpty()) {
            out.printf("customer %s was sent no notice%n", customer);
        }
        for (JsonNode d : answer.path("deliveries")) {
            JsonNode delivery = d.path("delivery");
            out.printf("notice %d \"%s\": %s to %s: %s at %s after %d attempt(s)%s%n", delivery.path("noticeId").asLong(),
                    d.path("noticeName").asText(), delivery.path("channel").asText(),
                    delivery.path("destination").asText("(no destination)"), delivery.path("status").asText(),
                    delivery.path("updatedAt").asText(), delivery.path("attempts").asInt(),
                    delivery.path("lastError").isTextual() ? " (" + delivery.path("lastError").asText() + ")" : "");
            for (JsonNode event : d.path("events")) {
                out.printf("    %s %s%s%n", event.path("at").asText(), event.path("kind").asText(),
                        event.path("detail").isTextual() ? ": " + event.path("detail").asText() : "");
            }
        }
        return ExitCode.OK;
    }
}
