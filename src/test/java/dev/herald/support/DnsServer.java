package dev.herald.support;

import java.net.SocketException;
import java.util.Map;

import dev.herald.standin.DnsStandIn;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The DNS stand-in, shared by every test of the run, with Herald's resolver pointed at it: no test asks the
 * real DNS, and a test that changes the zone puts it back as it found it (empty).
 */
public class DnsServer implements QuarkusTestResourceLifecycleManager {

    private static DnsStandIn dns;

    @Override
    public Map<String, String> start() {
        try {
            dns = new DnsStandIn();
        } catch (SocketException e) {
            throw new IllegalStateException("The DNS stand-in did not start", e);
        }
        return dns.configuration();
    }

    @Override
    public void stop() {
        if (dns != null) {
            try {
                dns.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public static DnsStandIn dns() {
        return dns;
    }
}
