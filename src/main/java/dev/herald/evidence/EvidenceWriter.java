package dev.herald.evidence;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;

import dev.herald.evidence.EvidenceExport.Format;

/**
 * The lines of one export, in the hash chain: a header naming the notice and the time the export is
 * of, one line per delivery and per customer no channel reached, a summary counting them; then the
 * trailer, outside the chain, with its digest and the signature. Every line is one physical line, so
 * that a reader splitting on line feeds (the verifier) sees the lines that were hashed. It takes rows
 * and knows no database, which lets the format be tested on its own.
 */
final class EvidenceWriter {

    private static final List<String> COLUMNS = List.of("record", "delivery", "customer", "channel", "destination", "status",
            "attempts", "at", "answer", "error", "contentSha256", "fallbackOf", "country", "region", "why");
    /** The first characters that make a spreadsheet take a cell for a formula (OWASP, CSV injection), and the quote. */
    private static final String FORMULA_START = "=+-@\t\r'";
    private static final ObjectWriter CSV;

    static {
        CsvSchema.Builder schema = CsvSchema.builder();
        COLUMNS.forEach(schema::addColumn);
        CSV = new CsvMapper().writer(schema.build().withLineSeparator(""));
    }

    private final Format format;
    private final ObjectWriter json;
    private final OutputStream out;
    private final EvidenceChain chain = new EvidenceChain();
    private long deliveries;
    private long unreached;

    EvidenceWriter(Format format, ObjectWriter json, OutputStream out) {
        this.format = format;
        this.json = json;
        this.out = out;
    }

    /** The first line: the format, the notice and the time the export is of; in CSV, then the column names. */
    void header(long noticeId, OffsetDateTime asOf, Map<String, Object> notice) throws IOException {
        String at = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(asOf);
        if (format == Format.NDJSON) {
            Map<String, Object> header = new LinkedHashMap<>();
            header.put("evidence", EvidenceChain.FORMAT);
            header.put("noticeId", noticeId);
            header.put("asOf", at);
            header.put("notice", notice);
            line(json.writeValueAsBytes(header));
        } else {
            line(text("#" + EvidenceChain.FORMAT + " notice=" + noticeId + " asOf=" + at));
            line(text(String.join(",", COLUMNS)));
        }
    }

    /** A record of this kind ("delivery", "unreached") to fill with fields named in {@link #COLUMNS}. */
    static Map<String, Object> record(String kind) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("record", kind);
        return record;
    }

    /** A delivery's record, as {@link #record} began it. */
    void delivery(Map<String, Object> record) throws IOException {
        write(record);
        deliveries++;
    }

    /** A customer no channel reached: customer, country, region, why. */
    void unreached(Map<String, Object> record) throws IOException {
        write(record);
        unreached++;
    }

    /** Writes the summary and the trailer with the chain's digest signed by {@code sign}; returns the digest (hex). */
    String finish(UnaryOperator<byte[]> sign) throws IOException {
        long lines = chain.lines() + 1;
        if (format == Format.NDJSON) {
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("record", "summary");
            summary.put("deliveries", deliveries);
            summary.put("unreached", unreached);
            summary.put("lines", lines);
            line(json.writeValueAsBytes(summary));
        } else {
            line(text("#summary deliveries=" + deliveries + " unreached=" + unreached + " lines=" + lines));
        }
        byte[] digest = chain.digest();
        String hex = HexFormat.of().formatHex(digest);
        String signature = Base64.getEncoder().encodeToString(sign.apply(digest));
        if (format == Format.NDJSON) {
            Map<String, Object> trailer = new LinkedHashMap<>();
            trailer.put("chain", "SHA-256, from SHA-256(\"" + EvidenceChain.FORMAT + "\"), over each line before this one");
            trailer.put("digest", hex);
            trailer.put("algorithm", EvidenceChain.SIGNATURE_ALGORITHM);
            trailer.put("signature", signature);
            out.write(json.writeValueAsBytes(trailer));
        } else {
            out.write(text("#trailer digest=" + hex + " algorithm=" + EvidenceChain.SIGNATURE_ALGORITHM
                    + " signature=" + signature));
        }
        out.write('\n');
        out.flush();
        return hex;
    }

    private void write(Map<String, Object> record) throws IOException {
        if (format == Format.NDJSON) {
            line(json.writeValueAsBytes(record));
        } else {
            List<Object> values = new ArrayList<>(COLUMNS.size());
            COLUMNS.forEach(column -> values.add(cell(record.get(column))));
            line(CSV.writeValueAsBytes(values));
        }
    }

    /**
     * A CSV cell as written: text a spreadsheet would take for a formula gets a leading {@code '}, and so
     * does text already starting with one, so that removing one leading quote always gives the value
     * back; then backslash, carriage return and line feed are written {@code \\}, {@code \r} and
     * {@code \n}, as JSON writes them: a line break, even quoted, would split the record across lines.
     */
    private static Object cell(Object value) {
        if (!(value instanceof String text) || text.isEmpty()) {
            return value;
        }
        String safe = FORMULA_START.indexOf(text.charAt(0)) >= 0 ? "'" + text : text;
        return safe.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n");
    }

    private static byte[] text(String line) {
        return line.getBytes(StandardCharsets.UTF_8);
    }

    private void line(byte[] line) throws IOException {
        chain.add(line);
        out.write(line);
        out.write('\n');
    }
}
