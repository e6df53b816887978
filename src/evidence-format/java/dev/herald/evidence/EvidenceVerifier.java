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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks an evidence export offline, with nothing but a JDK and the publisher's public key: the hash
 * chain over every line but the last must equal the trailer's digest, and the signature must verify.
 *
 * <pre>java -cp herald.jar dev.herald.evidence.EvidenceVerifier export.ndjson evidence-public.pem</pre>
 */
public final class EvidenceVerifier {

    public record Result(boolean valid, long lines, String message) {
    }

    private static final Pattern DIGEST = Pattern.compile("\"?digest\"?[=:]\\s*\"?([0-9a-f]{64})");
    private static final Pattern SIGNATURE = Pattern.compile("\"?signature\"?[=:]\\s*\"?([A-Za-z0-9+/=]+)");

    private EvidenceVerifier() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: EvidenceVerifier <export.ndjson|export.csv> <public-key.pem>");
            System.exit(2);
        }
        Result result;
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            result = verify(in, publicKey(Files.readString(Path.of(args[1]))));
        }
        System.out.println((result.valid() ? "VALID: " : "INVALID: ") + result.message());
        System.exit(result.valid() ? 0 : 1);
    }

    public static Result verify(InputStream export, PublicKey key) throws IOException {
        EvidenceChain chain = new EvidenceChain();
        byte[] previous = null;
        try (BufferedInputStream in = new BufferedInputStream(export)) {
            byte[] line;
            while ((line = readLine(in)) != null) {
                if (previous != null) {
                    chain.add(previous);
                }
                previous = line;
            }
        }
        if (previous == null) {
            return new Result(false, 0, "the export is empty");
        }
        String trailer = new String(previous, StandardCharsets.UTF_8);
        Matcher digest = DIGEST.matcher(trailer);
        Matcher signature = SIGNATURE.matcher(trailer);
        if (!digest.find() || !signature.find()) {
            return new Result(false, chain.lines(), "the last line is not a trailer with a digest and a signature");
        }
        byte[] computed = chain.digest();
        if (!HexFormat.of().formatHex(computed).equals(digest.group(1))) {
            return new Result(false, chain.lines(), "the " + chain.lines() + " lines do not hash to the trailer's "
                    + "digest: a line was changed, removed, added or moved");
        }
        try {
            Signature verifier = Signature.getInstance(EvidenceChain.SIGNATURE_ALGORITHM);
            verifier.initVerify(key);
            verifier.update(computed);
            if (!verifier.verify(Base64.getDecoder().decode(signature.group(1)))) {
                return new Result(false, chain.lines(), "the signature does not verify with this public key");
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return new Result(false, chain.lines(), "the signature cannot be checked: " + e.getMessage());
        }
        return new Result(true, chain.lines(), chain.lines() + " lines, digest " + digest.group(1)
                + ", signed by the key given");
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
