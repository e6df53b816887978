package dev.herald.channel.email;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;

import org.xbill.DNS.Type;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.herald.ops.Dns;

/**
 * Which receiving domain group an address belongs to: the provider's group from the configured table,
 * or (with {@code mx-lookup}) the group of the provider that hosts the domain's mail, or the domain itself.
 */
@ApplicationScoped
public class DomainGroups {

    private final Map<String, String> byDomain = new HashMap<>();
    /** Groups of entries such as hotmail.*, by their first label. */
    private final Map<String, String> byFirstLabel = new HashMap<>();
    private final Map<String, String> byMxSuffix = new HashMap<>();
    private final Dns dns;
    /** Null without mx-lookup. Bounded: one entry per receiving domain seen lately. */
    private final AsyncCache<String, String> byMx;

    DomainGroups(PaceConfig config, Dns dns) {
        this.dns = dns;
        config.groups().forEach((group, domains) -> domains.forEach(domain -> {
            String name = domain.strip().toLowerCase(Locale.ROOT);
            if (name.endsWith(".*")) {
                byFirstLabel.put(name.substring(0, name.length() - 2), group);
            } else {
                byDomain.put(name, group);
            }
        }));
        config.mxGroups().forEach((group, suffixes) -> suffixes.forEach(
                suffix -> byMxSuffix.put(suffix.strip().toLowerCase(Locale.ROOT), group)));
        this.byMx = config.mxLookup()
                ? Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(config.mxCache()).buildAsync()
                : null;
    }

    /** The group of an email address's domain; never waits for DNS. */
    public String of(String address) {
        String domain = address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
        String group = byDomain.get(domain);
        if (group != null) {
            return group;
        }
        int dot = domain.indexOf('.');
        group = dot > 0 && !byFirstLabel.isEmpty() && isTopLevel(domain.substring(dot + 1))
                ? byFirstLabel.get(domain.substring(0, dot)) : null;
        if (group != null) {
            return group;
        }
        if (byMx == null) {
            return domain;
        }
        group = byMx.get(domain, (d, executor) -> byMailHosts(d)).getNow(domain);
        return group != null ? group : domain;
    }

    /**
     * The group of the provider whose hosts take the domain's mail, or the domain itself; null when DNS
     * did not answer, which Caffeine keeps no entry for, so that the next message asks again.
     */
    private CompletableFuture<String> byMailHosts(String domain) {
        return dns.lookup(domain, Type.MX).thenApply(answer -> answer.outcome() == Dns.Outcome.FAILED ? null
                : groupOfHosts(domain, answer.values()));
    }

    /** MX values are "priority host." as {@link Dns} gives them; the most preferred host decides. */
    private String groupOfHosts(String domain, List<String> mx) {
        List<String> byPriority = mx.stream()
                .sorted(Comparator.comparingInt(value -> Integer.parseInt(value.substring(0, value.indexOf(' ')))))
                .toList();
        for (String value : byPriority) {
            String host = value.substring(value.indexOf(' ') + 1).toLowerCase(Locale.ROOT);
            host = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
            for (Map.Entry<String, String> suffix : byMxSuffix.entrySet()) {
                if (host.equals(suffix.getKey()) || host.endsWith("." + suffix.getKey())) {
                    return suffix.getValue();
                }
            }
        }
        return domain;
    }

    /** "com", "fr", "co.uk", "com.br": what hotmail.* may end with; not "example.com". */
    private static boolean isTopLevel(String rest) {
        int dot = rest.indexOf('.');
        return dot < 0 || dot <= 3 && rest.indexOf('.', dot + 1) < 0;
    }
}
