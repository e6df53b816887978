package dev.herald.channel.email;

import io.smallrye.config.ConfigMapping;

@ConfigMapping(prefix = "herald.email")
public interface EmailConfig {

    /** The From header, such as "Example Security <security@example.com>". */
    String from();

    /** Right-hand side of the Message-ID header Herald sets. */
    String messageIdDomain();
}
