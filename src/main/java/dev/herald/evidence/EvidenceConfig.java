package dev.herald.evidence;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where the evidence is signed and archived, and how long deliveries' personal data is kept. */
@ConfigMapping(prefix = "herald.evidence")
public interface EvidenceConfig {

    /** The Ed25519 private key (PKCS#8 PEM, from a Secret) that signs evidence exports. */
    Optional<Path> signingKey();

    /**
     * How long after a notice finished its per-delivery data (addresses, tokens, answers) is kept;
     * then the signed export is archived and the deliveries removed.
     */
    @WithDefault("P400D")
    Duration retention();

    /** How often notices past their retention are looked for (read by the scheduler through its expression). */
    @WithDefault("1h")
    Duration retentionCheck();

    /** Where signed exports are written before a notice's deliveries are removed. */
    @WithDefault("evidence-archive")
    Path archive();
}
