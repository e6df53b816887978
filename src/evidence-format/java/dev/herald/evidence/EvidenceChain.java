package dev.herald.evidence;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import dev.herald.ops.Sha256;

/**
 * The hash chain over an export's lines: each link is SHA-256(previous link || the line's bytes), the
 * first starting from SHA-256("herald-evidence/2"). Removing, reordering or editing a line changes
 * every link after it, and the last link is what is signed (Ed25519). Version 2 puts the notice, its
 * time and the counts in lines of the chain (version 1 left them outside the signature in CSV and in
 * the trailer), so a version 1 export does not verify as version 2. The service that writes exports
 * and the tools that verify them (the verifier, the command-line client) share this source folder,
 * which needs nothing but a JDK.
 */
public final class EvidenceChain {

    public static final String FORMAT = "herald-evidence/2";
    public static final String SIGNATURE_ALGORITHM = "Ed25519";

    private byte[] link = Sha256.of(FORMAT.getBytes(StandardCharsets.UTF_8));
    private long lines;

    /** Adds a line, without its line break. */
    public void add(byte[] line) {
        MessageDigest digest = Sha256.digest();
        digest.update(link);
        digest.update(line);
        link = digest.digest();
        lines++;
    }

    public byte[] digest() {
        return link.clone();
    }

    public long lines() {
        return lines;
    }
}
