package dev.herald.evidence;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks an evidence export offline, with nothing but a JDK and the publisher's public key: the first
 * line must name the format, the notice and the time the export is of; the hash chain over every line
 * but the last must equal the trailer's digest, and the signature must verify; every line between the
 * header and the summary must be a delivery or a customer not reached, as many as the summary counts;
 * and, when the caller names the notice it expects, the export must be that notice's. NDJSON and CSV
 * alike.
 *
 * <pre>java -cp herald.jar dev.herald.evidence.EvidenceVerifier export.ndjson evidence-public.pem [notice-id]</pre>
 */
public final class EvidenceVerifier {

    /** {@code noticeId} and {@code asOf} as the header says, null when the first line is no header. */
    public record Result(boolean valid, long lines, Long noticeId, String asOf, String message) {
    }

    /** How a format writes the lines the verifier reads: the header and the records known by their start. */
    private record Layout(Pattern header, String columns, Pattern record, Pattern summary) {

        int firstRecord() {
            return columns == null ? 1 : 2;
        }
    }

    private static final String FORMAT = Pattern.quote(EvidenceChain.FORMAT);
    private static final Layout NDJSON = new Layout(
            Pattern.compile("\\{\"evidence\":\"" + FORMAT + "\",\"noticeId\":(\\d{1,18}),\"asOf\":\"([^\"]+)\",\"notice\":"),
            null, Pattern.compile("\\{\"record\":\"(delivery|unreached)\","),
            Pattern.compile("\\{\"record\":\"summary\",\"deliveries\":(\\d+),\"unreached\":(\\d+),\"lines\":(\\d+)}"));
    private static final Layout CSV = new Layout(Pattern.compile("#" + FORMAT + " notice=(\\d{1,18}) asOf=(\\S+)$"),
            "record,", Pattern.compile("(delivery|unreached),"),
            Pattern.compile("#summary deliveries=(\\d+) unreached=(\\d+) lines=(\\d+)$"));
    private static final Pattern DIGEST = Pattern.compile("\"?digest\"?[=:]\\s*\"?([0-9a-f]{64})");
    private static final Pattern SIGNATURE = Pattern.compile("\"?signature\"?[=:]\\s*\"?([A-Za-z0-9+/=]+)");

    private EvidenceVerifier() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 && args.length != 3) {
            System.err.println("usage: EvidenceVerifier <export.ndjson|export.csv> <public-key.pem> [expected notice id]");
            System.exit(2);
        }
        Result result;
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            PublicKey key = publicKey(Files.readString(Path.of(args[1])));
            result = args.length == 3 ? verify(in, key, Long.parseLong(args[2])) : verify(in, key);
        }
        System.out.println((result.valid() ? "VALID: " : "INVALID: ") + result.message());
        System.exit(result.valid() ? 0 : 1);
    }

    /** Whether the export is whole and signed by {@code key}, whichever notice it is of. */
    public static Result verify(InputStream export, PublicKey key) throws IOException {
        return check(export, key, null);
    }

    /** As {@link #verify(InputStream, PublicKey)}, and refused unless it is the export of notice {@code noticeId}. */
    public static Result verify(InputStream export, PublicKey key, long noticeId) throws IOException {
        return check(export, key, noticeId);
    }

    private static Result check(InputStream export, PublicKey key, Long expected) throws IOException {
        Lines lines = new Lines();
        byte[] previous = null;
        try (BufferedInputStream in = new BufferedInputStream(export)) {
            byte[] line;
            while ((line = readLine(in)) != null) {
                if (previous != null) {
                    lines.add(previous);
                }
                previous = line;
            }
        }
        long n = lines.chain.lines();
        if (previous == null) {
            return new Result(false, 0, null, null, "the export is empty");
        }
        if (lines.layout == null) {
            // Before the digest, which would only say that something changed.
            return new Result(false, n, null, null, "the first line is not a " + EvidenceChain.FORMAT + " header naming "
                    + "the notice (an export of another version, or not an export)");
        }
        String trailer = new String(previous, StandardCharsets.UTF_8);
        Matcher digest = DIGEST.matcher(trailer);
        Matcher signature = SIGNATURE.matcher(trailer);
        if (!digest.find() || !signature.find()) {
            return lines.refused("the last line is not a trailer with a digest and a signature");
        }
        byte[] computed = lines.chain.digest();
        if (!HexFormat.of().formatHex(computed).equals(digest.group(1))) {
            return lines.refused("the " + n + " lines do not hash to the trailer's digest: a line was changed, removed, "
                    + "added or moved");
        }
        try {
            Signature verifier = Signature.getInstance(EvidenceChain.SIGNATURE_ALGORITHM);
            verifier.initVerify(key);
            verifier.update(computed);
            if (!verifier.verify(Base64.getDecoder().decode(signature.group(1)))) {
                return lines.refused("the signature does not verify with this public key");
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return lines.refused("the signature cannot be checked: " + e.getMessage());
        }
        // Signed lines that do not add up mean the writer erred: still no proof.
        if (lines.misplaced != null) {
            return lines.refused(lines.misplaced);
        }
        if (lines.summary == null) {
            return lines.refused("the line before the trailer is not the summary");
        }
        // Compared as text: a count too long for a long is as wrong as any other.
        String counted = lines.deliveries + " deliveries, " + lines.unreached + " unreached, " + n + " lines";
        String summed = lines.summary.group(1) + " deliveries, " + lines.summary.group(2) + " unreached, "
                + lines.summary.group(3) + " lines";
        if (!counted.equals(summed)) {
            return lines.refused("the summary counts " + summed + "; the export has " + counted);
        }
        if (expected != null && expected.longValue() != lines.noticeId) {
            return lines.refused("the export is notice " + lines.noticeId + "'s, not notice " + expected + "'s");
        }
        return new Result(true, n, lines.noticeId, lines.asOf, "notice " + lines.noticeId + " as of " + lines.asOf
                + ", " + counted + ", digest " + digest.group(1) + ", signed by the key given");
    }

    /** The lines before the trailer, hashed and read one at a time as they stream past. */
    private static final class Lines {

        final EvidenceChain chain = new EvidenceChain();
        Layout layout;
        long noticeId;
        String asOf;
        long deliveries;
        long unreached;
        /** The summary, while it is the last line read. */
        Matcher summary;
        /** The first line out of place. */
        String misplaced;

        void add(byte[] bytes) {
            long index = chain.lines();
            chain.add(bytes);
            if (misplaced != null || (index > 0 && layout == null)) {
                return;
            }
            String line = new String(bytes, StandardCharsets.UTF_8);
            if (index == 0) {
                header(line);
            } else if (summary != null) {
                misplaced = "line " + (index + 1) + " follows the summary";
            } else if (index < layout.firstRecord()) {
                if (!line.startsWith(layout.columns())) {
                    misplaced = "line 2 is not the column names";
                }
            } else {
                record(index, line);
            }
        }

        private void header(String line) {
            for (Layout candidate : List.of(NDJSON, CSV)) {
                Matcher header = candidate.header().matcher(line);
                if (header.lookingAt()) {
                    layout = candidate;
                    noticeId = Long.parseLong(header.group(1));
                    asOf = header.group(2);
                    return;
                }
            }
        }

        private void record(long index, String line) {
            Matcher record = layout.record().matcher(line);
            if (record.lookingAt()) {
                if (record.group(1).equals("delivery")) {
                    deliveries++;
                } else {
                    unreached++;
                }
                return;
            }
            Matcher last = layout.summary().matcher(line);
            if (last.matches()) {
                summary = last;
            } else {
                misplaced = "line " + (index + 1) + " is neither a delivery, a customer not reached nor the summary";
            }
        }

        Result refused(String why) {
            return new Result(false, chain.lines(), noticeId, asOf, why);
        }
    }

    /** An Ed25519 public key in PEM (openssl pkey -pubout). */
    public static PublicKey publicKey(String pem) throws GeneralSecurityException {
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        return KeyFactory.getInstance(EvidenceChain.SIGNATURE_ALGORITHM).generatePublic(new X509EncodedKeySpec(der));
    }

    /** The next line's bytes without its line break, or null at the end. */
    private static byte[] readLine(BufferedInputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        boolean any = false;
        while ((b = in.read()) != -1) {
            any = true;
            if (b == '\n') {
                return line.toByteArray();
            }
            line.write(b);
        }
        return any ? line.toByteArray() : null;
    }
}
