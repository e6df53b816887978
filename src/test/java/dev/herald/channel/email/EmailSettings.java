package dev.herald.channel.email;

import java.nio.file.Path;
import java.util.Optional;

/** Email configuration for tests that make the email classes themselves, without Quarkus. */
record EmailSettings(String from, String messageIdDomain, EmailConfig.Dkim dkim) implements EmailConfig {

    static final Path TEST_KEY = Path.of("src/test/resources/dkim/private-key.pem");
    static final Path TEST_PUBLIC_KEY = Path.of("src/test/resources/dkim/public-key.pem");

    static EmailSettings unsigned(String from) {
        return new EmailSettings(from, "herald.example", new Dkim(Optional.empty(), Optional.empty(), Optional.empty()));
    }

    static EmailSettings signed(String from, String selector) {
        return new EmailSettings(from, "herald.example", new Dkim(Optional.of(TEST_KEY), Optional.of(selector), Optional.empty()));
    }

    EmailSettings withDkim(Optional<Path> key, Optional<String> selector, Optional<String> domain) {
        return new EmailSettings(from, messageIdDomain, new Dkim(key, selector, domain));
    }

    record Dkim(Optional<Path> privateKey, Optional<String> selector, Optional<String> domain) implements EmailConfig.Dkim {
    }
}
