package dev.herald.channel.email;

import java.nio.file.Path;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

@ConfigMapping(prefix = "herald.email")
public interface EmailConfig {

    /** The From header, such as "Example Security <security@example.com>". */
    String from();

    /** Right-hand side of the Message-ID header Herald sets. */
    String messageIdDomain();

    Dkim dkim();

    /** Herald's own DKIM signature, for relays that do not sign; without a key Herald sends unsigned. */
    interface Dkim {
        /** The RSA private key (PKCS#8 PEM, from a Secret); with it every message is signed. */
        Optional<Path> privateKey();

        /** The selector: the public key is published at {@code <selector>._domainkey.<domain>}. */
        Optional<String> selector();

        /** The signing domain (d=); by default the From address's domain, which DMARC aligns with. */
        Optional<String> domain();
    }
}
