package dev.herald.channel.email;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

/** Which receiving domain group an address belongs to: the provider's group, or the domain itself. */
@ApplicationScoped
public class DomainGroups {

    private final Map<String, String> byDomain = new HashMap<>();
    /** Groups of entries such as hotmail.*, by their first label. */
    private final Map<String, String> byFirstLabel = new HashMap<>();

    DomainGroups(PaceConfig config) {
        config.groups().forEach((group, domains) -> domains.forEach(domain -> {
            String name = domain.strip().toLowerCase(Locale.ROOT);
            if (name.endsWith(".*")) {
                byFirstLabel.put(name.substring(0, name.length() - 2), group);
            } else {
                byDomain.put(name, group);
            }
        }));
    }

    /** The group of an email address's domain. */
    public String of(String address) {
        String domain = address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
        String group = byDomain.get(domain);
        if (group != null || byFirstLabel.isEmpty()) {
            return group != null ? group : domain;
        }
        int dot = domain.indexOf('.');
        group = dot > 0 && isTopLevel(domain.substring(dot + 1)) ? byFirstLabel.get(domain.substring(0, dot)) : null;
        return group != null ? group : domain;
    }

    /** "com", "fr", "co.uk", "com.br": what hotmail.* may end with; not "example.com". */
    private static boolean isTopLevel(String rest) {
        int dot = rest.indexOf('.');
        return dot < 0 || dot <= 3 && rest.indexOf('.', dot + 1) < 0;
    }
}
