package dev.herald.ops;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How Herald asks DNS: about its own sending domain (the sender readiness check), and receiving domains' MX hosts. */
@ConfigMapping(prefix = "herald.dns")
public interface DnsConfig {

    /** The resolver to ask, host[:port] (port 53 by default); without one, the system's (/etc/resolv.conf). */
    Optional<String> resolver();

    /** How long one lookup may take before it is reported as failed. */
    @WithDefault("3s")
    Duration timeout();

    /** How long dispatch reuses a readiness answer before asking DNS again. */
    @WithDefault("1m")
    Duration cache();
}
