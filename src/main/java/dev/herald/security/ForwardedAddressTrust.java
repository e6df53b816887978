package dev.herald.security;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.StartupEvent;

/**
 * Refuses to start when X-Forwarded-For would be believed from anyone: Quarkus trusts every proxy when
 * {@code quarkus.http.proxy.trusted-proxies} is empty, and the audit log would record whatever address
 * a client wrote in the header.
 */
@ApplicationScoped
class ForwardedAddressTrust {

    private final boolean forwarding;
    private final Optional<List<String>> trustedProxies;

    ForwardedAddressTrust(@ConfigProperty(name = "quarkus.http.proxy.proxy-address-forwarding") boolean forwarding,
            @ConfigProperty(name = "quarkus.http.proxy.trusted-proxies") Optional<List<String>> trustedProxies) {
        this.forwarding = forwarding;
        this.trustedProxies = trustedProxies;
    }

    void check(@Observes StartupEvent start) {
        requireTrustedProxies(forwarding, trustedProxies);
    }

    static void requireTrustedProxies(boolean forwarding, Optional<List<String>> trustedProxies) {
        if (forwarding && trustedProxies.map(List::isEmpty).orElse(true)) {
            throw new IllegalStateException("quarkus.http.proxy.proxy-address-forwarding is on but "
                    + "quarkus.http.proxy.trusted-proxies lists no proxy: any client could name its own address in "
                    + "the audit log; list the ingress's addresses (CIDR) or turn forwarding off");
        }
    }
}
