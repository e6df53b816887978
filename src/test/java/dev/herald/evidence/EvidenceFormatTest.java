package dev.herald.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;

import dev.herald.evidence.EvidenceExport.Format;

/**
 * The export's format without the service: lines written by the service's writer and signed by its
 * signer with the test key, read back by the verifier the regulator and the command-line client run.
 */
class EvidenceFormatTest {

    private static final Path KEYS = Path.of("src/test/resources/evidence");
    private static final OffsetDateTime AS_OF = OffsetDateTime.parse("2026-11-26T14:02:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EvidenceSigner signer = new EvidenceSigner(new EvidenceConfig() {
        @Override
        public Optional<Path> signingKey() {
            return Optional.of(KEYS.resolve("signing-key.pem"));
        }

        @Override
        public Duration retention() {
            return Duration.ofDays(400);
        }

        @Override
        public Duration retentionCheck() {
            return Duration.ofHours(1);
        }

        @Override
        public Path archive() {
            return Path.of("evidence-archive");
        }
    });

    @ParameterizedTest
    @EnumSource(Format.class)
    void bothFormatsVerifyAndNameTheirNoticeAndTime(Format format) throws Exception {
        String export = export(format, 7, List.of(delivery("c-1", "250 2.0.0 Ok", null), delivery("c-2", null, "timeout")),
                List.of(unreached("c-3", "EMAIL SKIPPED: no email address")));

        EvidenceVerifier.Result result = verify(export);

        assertThat(result.valid()).as(result.message()).isTrue();
        assertThat(result.noticeId()).isEqualTo(7);
        assertThat(result.asOf()).isEqualTo("2026-11-26T14:02:00Z");
        assertThat(result.lines()).as("header, CSV's column names, 3 records, summary").isEqualTo(format == Format.CSV ? 6 : 5);
        assertThat(result.message()).contains("notice 7 as of 2026-11-26T14:02:00Z", "2 deliveries, 1 unreached");
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void aMultiLineReplyStaysOnOneLineAndVerifies(Format format) throws Exception {
        String answer = "250-mx.example.net\r\n250 2.0.0 Ok: queued as 4F2";
        String error = "451-4.7.1 first\n451 4.7.1 second \\ last";
        String export = export(format, 1, List.of(delivery("c-1", answer, error)), List.of());

        String[] lines = export.split("\n");
        assertThat(lines).as("header, CSV's column names, the delivery, summary, trailer")
                .hasSize(format == Format.CSV ? 5 : 4);
        String delivery = lines[format == Format.CSV ? 2 : 1];
        if (format == Format.CSV) {
            assertThat(cells(delivery)).contains("250-mx.example.net\\r\\n250 2.0.0 Ok: queued as 4F2",
                    "451-4.7.1 first\\n451 4.7.1 second \\\\ last");
        } else {
            assertThat(JSON.readTree(delivery).path("answer").asText()).isEqualTo(answer);
            assertThat(JSON.readTree(delivery).path("error").asText()).isEqualTo(error);
        }
        assertThat(verify(export).valid()).as(verify(export).message()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void theExportOfOneNoticeIsRefusedAsAnothers(Format format) throws Exception {
        String export = export(format, 1, List.of(delivery("c-1", "250 Ok", null)), List.of());

        assertThat(verify(export, 1).valid()).isTrue();
        EvidenceVerifier.Result asAnother = verify(export, 2);
        assertThat(asAnother.valid()).isFalse();
        assertThat(asAnother.noticeId()).isEqualTo(1);
        assertThat(asAnother.message()).isEqualTo("the export is notice 1's, not notice 2's");

        String renamed = format == Format.CSV ? export.replaceFirst(" notice=1 ", " notice=2 ")
                : export.replaceFirst("\"noticeId\":1,", "\"noticeId\":2,");
        assertThat(renamed).isNotEqualTo(export);
        assertThat(verify(renamed, 2).message()).as("the notice is in the signed lines")
                .contains("do not hash to the trailer's digest");
    }

    @ParameterizedTest
    @EnumSource(Format.class)
    void aChangedCountIsRefused(Format format) throws Exception {
        String export = export(format, 3, List.of(delivery("c-1", "250 Ok", null), delivery("c-2", "250 Ok", null)),
                List.of(unreached("c-3", "EMAIL FAILED: 550 no such user")));
        String summary = format == Format.CSV ? "deliveries=2 " : "\"deliveries\":2,";
        assertThat(export).contains(summary);

        String tampered = export.replace(summary, summary.replace('2', '3'));
        assertThat(verify(tampered).message()).contains("do not hash to the trailer's digest");

        // Signed again (as only the key's holder could), the counts are still checked against the lines.
        List<String> lines = new ArrayList<>(Arrays.asList(export.split("\n")));
        lines.remove(lines.size() - 1);
        lines.removeIf(line -> line.contains("c-2"));
        EvidenceVerifier.Result dropped = verify(signed(lines));
        assertThat(dropped.valid()).isFalse();
        assertThat(dropped.message()).isEqualTo("the summary counts 2 deliveries, 1 unreached, " + (lines.size() + 1)
                + " lines; the export has 1 deliveries, 1 unreached, " + lines.size() + " lines");
    }

    @Test
    void anExportOfAnotherVersionIsNamedSo() throws Exception {
        String ndjson = export(Format.NDJSON, 1, List.of(), List.of());
        String older = ndjson.replaceFirst(EvidenceChain.FORMAT, "herald-evidence/1");

        assertThat(verify(older).message()).startsWith("the first line is not a herald-evidence/2 header");
    }

    @Test
    void cellsASpreadsheetWouldTakeForFormulasGetALeadingQuoteInCsvOnly() throws Exception {
        List<String> customers = List.of("=HYPERLINK(\"http://evil.example\",\"x\")", "+1", "-1", "@SUM(A1)", "\tx",
                "\rx", "'quoted", "a=b");
        List<Map<String, Object>> deliveries = new ArrayList<>();
        customers.forEach(c -> deliveries.add(delivery(c, "=1+1", null)));
        List<Map<String, Object>> unreached = List.of(unreached("c-9", "=cmd|' /C calc'!A0"));

        String csv = export(Format.CSV, 5, deliveries, unreached);
        List<String> lines = List.of(csv.split("\n"));
        List<String> written = new ArrayList<>();
        for (String line : lines.subList(2, 2 + customers.size())) {
            List<String> cells = cells(line);
            assertThat(cells.get(8)).as("answer").isEqualTo("'=1+1");
            written.add(cells.get(2));
        }
        assertThat(written).containsExactly("'=HYPERLINK(\"http://evil.example\",\"x\")", "'+1", "'-1", "'@SUM(A1)",
                "'\tx", "'\\rx", "''quoted", "a=b");
        assertThat(cells(lines.get(2 + customers.size())).get(14)).as("why").isEqualTo("'=cmd|' /C calc'!A0");
        assertThat(verify(csv).valid()).isTrue();

        String ndjson = export(Format.NDJSON, 5, deliveries, unreached);
        List<String> asGiven = new ArrayList<>();
        for (String line : ndjson.split("\n")) {
            JsonNode record = JSON.readTree(line);
            if ("delivery".equals(record.path("record").asText())) {
                asGiven.add(record.path("customer").asText());
            }
        }
        assertThat(asGiven).isEqualTo(customers);
        assertThat(verify(ndjson).valid()).isTrue();
    }

    private String export(Format format, long noticeId, List<Map<String, Object>> deliveries,
            List<Map<String, Object>> unreached) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EvidenceWriter writer = new EvidenceWriter(format, JSON.writer(), out);
        writer.header(noticeId, AS_OF, Map.of("id", noticeId, "name", "test notice"));
        for (Map<String, Object> delivery : deliveries) {
            writer.delivery(delivery);
        }
        for (Map<String, Object> customer : unreached) {
            writer.unreached(customer);
        }
        writer.finish(signer::sign);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static Map<String, Object> delivery(String customer, String answer, String error) {
        Map<String, Object> row = EvidenceWriter.record("delivery");
        row.put("delivery", 1L);
        row.put("customer", customer);
        row.put("channel", "EMAIL");
        row.put("destination", "j***@example.com");
        row.put("status", error == null ? "SENT" : "FAILED");
        row.put("attempts", 1);
        row.put("at", "2026-11-26T14:01:00Z");
        row.put("answer", answer);
        row.put("error", error);
        row.put("contentSha256", null);
        row.put("fallbackOf", null);
        return row;
    }

    private static Map<String, Object> unreached(String customer, String why) {
        Map<String, Object> row = EvidenceWriter.record("unreached");
        row.put("customer", customer);
        row.put("country", "US");
        row.put("region", "CA");
        row.put("why", why);
        return row;
    }

    /** The lines with a trailer signed by the test key. */
    private String signed(List<String> lines) {
        EvidenceChain chain = new EvidenceChain();
        lines.forEach(line -> chain.add(line.getBytes(StandardCharsets.UTF_8)));
        byte[] digest = chain.digest();
        return String.join("\n", lines) + "\n#trailer digest=" + HexFormat.of().formatHex(digest) + " algorithm=Ed25519"
                + " signature=" + Base64.getEncoder().encodeToString(signer.sign(digest)) + "\n";
    }

    private static List<String> cells(String csvLine) throws Exception {
        return Arrays.asList(new CsvMapper().readerFor(String[][].class).with(CsvParser.Feature.WRAP_AS_ARRAY)
                .<String[][]>readValue(csvLine)[0]);
    }

    private static EvidenceVerifier.Result verify(String export) throws Exception {
        return EvidenceVerifier.verify(new ByteArrayInputStream(export.getBytes(StandardCharsets.UTF_8)), publicKey());
    }

    private static EvidenceVerifier.Result verify(String export, long noticeId) throws Exception {
        return EvidenceVerifier.verify(new ByteArrayInputStream(export.getBytes(StandardCharsets.UTF_8)), publicKey(),
                noticeId);
    }

    private static PublicKey publicKey() throws Exception {
        return EvidenceVerifier.publicKey(Files.readString(KEYS.resolve("public-key.pem")));
    }
}
