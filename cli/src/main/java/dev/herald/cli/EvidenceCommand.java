package dev.herald.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.herald.evidence.EvidenceVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "evidence", description = "Download a notice's signed evidence export and, with --verify, check its "
        + "hash chain and signature against the published public key, its counts, and that it is this notice's.")
final class EvidenceCommand extends NoticeIdCommand {

    @Option(names = "--out", description = "where to write it (default: notice-ID-evidence.ndjson)")
    Path out;
    @Option(names = "--verify", description = "check the export against this public key (PEM)")
    Path publicKey;
    @Option(names = "--csv", description = "CSV instead of NDJSON")
    boolean csv;

    @Override
    public Integer call() throws Exception {
        PrintWriter print = out();
        Path file = out != null ? out : Path.of("notice-" + id + "-evidence." + (csv ? "csv" : "ndjson"));
        connection.client().download("/v1/notices/" + id + "/evidence" + (csv ? "?format=csv" : ""), file);
        print.printf("evidence of notice %d: %s (%,d bytes)%n", id, file, Files.size(file));
        if (publicKey == null) {
            return ExitCode.OK;
        }
        EvidenceVerifier.Result result;
        try (InputStream in = Files.newInputStream(file)) {
            result = EvidenceVerifier.verify(in, EvidenceVerifier.publicKey(Files.readString(publicKey)), id);
        }
        print.println((result.valid() ? "VALID: " : "INVALID: ") + result.message());
        return result.valid() ? ExitCode.OK : ExitCode.EVIDENCE_INVALID;
    }
}
