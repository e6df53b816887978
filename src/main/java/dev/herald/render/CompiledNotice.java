package dev.herald.render;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;

import io.quarkus.qute.RawString;
import io.quarkus.qute.Template;

/**
 * A notice's templates, parsed once and shared by every message of that notice, with what every
 * message of it shares: the breach facts per locale and the date its emails carry.
 */
public record CompiledNotice(long noticeId, String noticeName, Map<String, CompiledLocale> locales,
        String fallbackLocale, Instant messageDate) {

    /**
     * {@code pushTitle} and {@code pushBody} are null when the locale has no push template;
     * {@code breach} is the {@code breach.*} data, its dates written in this locale's language.
     */
    public record CompiledLocale(String locale, Part subject, Map<String, Part> sections, Template html,
            Template text, Part pushTitle, Part pushBody, Map<String, Object> breach) {
    }

    /**
     * A subject or section. Most are the same for every customer: those are rendered once, and escaped
     * for HTML once, when the notice is compiled, instead of once per message.
     */
    public record Part(Template template, String constantText, RawString constantHtml) {
        boolean isConstant() {
            return constantText != null;
        }
    }

    /** The customer's exact locale, else its language, else the notice's fallback. */
    public CompiledLocale forLocale(String customerLocale) {
        if (customerLocale != null && !customerLocale.isEmpty()) {
            String tag = customerLocale.toLowerCase(Locale.ROOT);
            CompiledLocale exact = locales.get(tag);
            if (exact != null) {
                return exact;
            }
            CompiledLocale language = locales.get(tag.split("-", 2)[0]);
            if (language != null) {
                return language;
            }
        }
        return locales.get(fallbackLocale.toLowerCase(Locale.ROOT));
    }
}
