package dev.herald.cli;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.herald.support.Fixtures;
import dev.herald.support.HeraldTest;
import dev.herald.support.Tokens;
import io.restassured.RestAssured;

/** The command-line client against the running service, as an operator and a Job use it. */
@HeraldTest
class CliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Run(int code, String out, String err) {
    }

    @TempDir
    Path dir;

    @Test
    void importsCreatesDispatchesAndWatchesANoticeToCompletionThenARerunDispatchesNothing() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            lines.append("{\"id\":\"cli-").append(i).append("\",\"email\":\"cli-").append(i)
                    .append("@cli.example\",\"tags\":[\"cli\"]}\n");
        }
        lines.append("{\"id\":\"cli-bad\",\"email\":\"not an address\"}\n");
        Path customers = Files.writeString(dir.resolve("customers.ndjson"), lines);
        Run imported = herald("import", customers.toString());
        assertThat(imported.code()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("41 lines read, 40 inserted", "1 refused");
        assertThat(Files.readString(dir.resolve("customers.ndjson.rejected.ndjson"))).contains("\"line\":41", "email");

        Path notice = Files.writeString(dir.resolve("notice.json"),
                JSON.writeValueAsString(Fixtures.notice("cli notice", Map.of("criteria", Map.of("tag", "cli")))));
        Run created = herald("notice", "create", notice.toString());
        assertThat(created.code()).as(created.err()).isZero();
        long id = idIn(created.out());
        Run again = herald("notice", "create", notice.toString());
        assertThat(idIn(again.out())).as("the same file is the same notice").isEqualTo(id);

        Run dispatched = herald("dispatch", String.valueOf(id), "--watch", "--interval", "300ms");
        assertThat(dispatched.code()).as(dispatched.out() + dispatched.err()).isEqualTo(ExitCode.OK);
        assertThat(dispatched.out()).contains("notice " + id + " DISPATCHING, dispatched by cli-operator",
                "notice " + id + " COMPLETED: SENT 40");
        assertThat(dispatched.out()).containsPattern("notice " + id + " (DISPATCHING|COMPLETED) +\\d+\\.\\d% \\d+ of 40");

        Run rerun = herald("run", notice.toString(), "--interval", "300ms");
        assertThat(rerun.code()).isEqualTo(ExitCode.OK);
        assertThat(rerun.out()).contains("is already COMPLETED", "not dispatching again");

        Run status = herald("status", "cli-3");
        assertThat(status.out()).contains("\"cli notice\": EMAIL to", "SENT");

        Path export = dir.resolve("evidence.ndjson");
        Run evidence = herald("evidence", String.valueOf(id), "--out", export.toString(), "--verify",
                "src/test/resources/evidence/public-key.pem");
        assertThat(evidence.code()).as(evidence.out() + evidence.err()).isZero();
        assertThat(evidence.out()).contains("VALID: ");
    }

    @Test
    void aCancelledNoticeARefusalAndALostConnectionEachHaveTheirExitCode() throws Exception {
        Fixtures.importCustomers("cli-cancel", 30);
        Fixtures.emailLimit(2, 1);
        try {
            long id = Fixtures.dispatchToTag("cli-cancel");
            given().post("/v1/notices/{id}/cancel", id).then().statusCode(200);
            Run watched = herald("watch", String.valueOf(id), "--interval", "200ms");
            assertThat(watched.code()).isEqualTo(ExitCode.CANCELLED);
            assertThat(watched.out()).contains("notice " + id + " was CANCELLED", "CANCELLED");
        } finally {
            Fixtures.emailLimit(10_000, 4);
        }

        Run refused = run(List.of("--token", "not-a-token"), "watch", "1");
        assertThat(refused.code()).isEqualTo(ExitCode.REFUSED);
        assertThat(refused.err()).contains("refused (401)");

        Run unknown = herald("pause", "987654321");
        assertThat(unknown.code()).isEqualTo(ExitCode.REFUSED);
        assertThat(unknown.err()).contains("987654321");

        Run lost = run(List.of("--url", "http://127.0.0.1:9", "--token", "x", "--retry-delay", "10ms"), "watch", "1");
        assertThat(lost.code()).isEqualTo(ExitCode.CONNECTION_LOST);
        assertThat(lost.err()).contains("cannot connect", "after 5 attempts");
    }

    private static long idIn(String out) {
        Matcher m = Pattern.compile("notice (\\d+)").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static Run herald(String... args) {
        return run(List.of(), args);
    }

    /** The client as a Job runs it, with an operator's and notifier's token unless the flags say otherwise. */
    private static Run run(List<String> connection, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        if (!connection.contains("--url")) {
            all.addAll(List.of("--url", "http://localhost:" + RestAssured.port));
        }
        if (!connection.contains("--token")) {
            all.addAll(List.of("--token", Tokens.of("cli-operator", "operator", "notifier", "support")));
        }
        all.addAll(connection);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = HeraldCli.execute(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }
}
