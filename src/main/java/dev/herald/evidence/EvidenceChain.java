package dev.herald.evidence;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import dev.herald.ops.Sha256;

/**
 * The hash chain over an export's lines: each link is SHA-256(previous link || the line's bytes), the
 * first starting from SHA-256("herald-evidence/1"). Removing, reordering or editing a line changes
 * every link after it, and the last link is what is signed. Writer and verifier share this class.
 */
public final class EvidenceChain {

    static final String FORMAT = "herald-evidence/1";

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
