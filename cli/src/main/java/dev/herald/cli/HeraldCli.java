package dev.herald.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code herald}: Herald's command-line client, for an operator's laptop and for the mass-notification
 * Job's container. Every subcommand takes the address and a bearer token from flags or the environment.
 */
@Command(name = "herald", mixinStandardHelpOptions = true, version = "herald 0.1.0",
        description = "Herald's command-line client: import customers, create, dispatch and watch breach notices, "
                + "and fetch their evidence.",
        subcommands = { ImportCommand.class, NoticeCommand.class, DispatchCommand.class, WatchCommand.class,
                RunCommand.class, ControlCommand.Pause.class, ControlCommand.Resume.class, ControlCommand.Cancel.class,
                StatusCommand.class, EvidenceCommand.class },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = { "0:done; a watched notice COMPLETED", "2:the command line is wrong",
                "3:Herald refused the request (invalid, not found, conflict, no permission)",
                "4:the notice was cancelled", "5:more failed deliveries than --max-failed-percent",
                "6:Herald could not be reached after retries", "7:an evidence export did not verify" })
public final class HeraldCli {

    /** Where Herald is and who is calling: flags, else HERALD_URL, HERALD_TOKEN or HERALD_TOKEN_FILE. */
    public static final class Connection {
        @Option(names = "--url", defaultValue = "${env:HERALD_URL:-http://127.0.0.1:8080}",
                description = "Herald's address (HERALD_URL; default ${DEFAULT-VALUE})")
        String url;

        @Option(names = "--token", defaultValue = "${env:HERALD_TOKEN}", description = "bearer token (HERALD_TOKEN)")
        String token;

        @Option(names = "--token-file", defaultValue = "${env:HERALD_TOKEN_FILE}",
                description = "a file holding the bearer token, such as a mounted Secret (HERALD_TOKEN_FILE)")
        Path tokenFile;

        @Option(names = "--retry-delay", defaultValue = "2s", hidden = true, converter = DurationConverter.class)
        Duration retryDelay;

        HeraldClient client() {
            String bearer = token;
            if ((bearer == null || bearer.isBlank()) && tokenFile != null) {
                try {
                    bearer = Files.readString(tokenFile).strip();
                } catch (IOException e) {
                    throw new CommandLine.ParameterException(new CommandLine(new HeraldCli()),
                            "cannot read --token-file " + tokenFile + ": " + e.getMessage());
                }
            }
            return new HeraldClient(url, bearer, retryDelay);
        }
    }

    /** "2s", "500ms", "1m": the forms an operator types. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.strip().toLowerCase();
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            return switch (v.charAt(v.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new CommandLine.TypeConversionException("'" + value + "' is not a duration such as 5s");
            };
        }
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line; returns its exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new HeraldCli());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof HeraldClient.Refused refused) {
                err.println("refused (" + refused.status + "): " + refused.getMessage());
                return ExitCode.REFUSED;
            }
            if (e instanceof HeraldClient.ConnectionLost lost) {
                err.println("Herald cannot be reached: " + lost.getMessage());
                return ExitCode.CONNECTION_LOST;
            }
            throw e;
        });
        int code = commandLine.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
