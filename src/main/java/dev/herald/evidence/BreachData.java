package dev.herald.evidence;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The breach facts as templates see them ({@code breach.*}), dates written out in the customer's
 * language: {@code breach.dates} ("17 November 2026 to 19 November 2026 (estimated)"),
 * {@code breach.discovered}, {@code breach.noticeDate}, {@code breach.organisation},
 * {@code breach.website}, {@code breach.contact.name|email|phone|website|postalAddress},
 * {@code breach.remedy}, {@code breach.remedyMonths}, {@code breach.lawEnforcementDelay}.
 */
public final class BreachData {

    private BreachData() {
    }

    /** {@link #of} for each language the notice is written in, keyed by its tag. */
    public static Map<String, Map<String, Object>> byLocale(BreachFacts facts, Collection<String> languageTags,
            LocalDate noticeDate) {
        Map<String, Map<String, Object>> breach = new LinkedHashMap<>();
        languageTags.forEach(tag -> breach.put(tag, of(facts, tag, noticeDate)));
        return breach;
    }

    public static Map<String, Object> of(BreachFacts facts, String languageTag, LocalDate noticeDate) {
        Locale locale = Locale.forLanguageTag(languageTag);
        DateTimeFormatter long_ = DateTimeFormatter.ofLocalizedDate(FormatStyle.LONG).withLocale(locale);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("dates", dates(facts, long_));
        data.put("discovered", long_.format(facts.discoveredAt().toLocalDate()));
        data.put("noticeDate", long_.format(noticeDate));
        data.put("organisation", facts.organisation().name());
        data.put("website", facts.organisation().website());
        Map<String, Object> contact = new LinkedHashMap<>();
        contact.put("name", facts.contact().name());
        contact.put("email", facts.contact().email());
        contact.put("phone", facts.contact().phone());
        contact.put("website", facts.contact().website());
        contact.put("postalAddress", facts.contact().postalAddress());
        data.put("contact", contact);
        data.put("remedy", facts.remedy() == null ? null : facts.remedy().description());
        data.put("remedyMonths", facts.remedy() == null ? null : facts.remedy().months());
        data.put("lawEnforcementDelay", facts.lawEnforcementDelay());
        return data;
    }

    /** "17 November 2026", or "17 November 2026 – 19 November 2026", with "(estimated)" when it is. */
    static String dates(BreachFacts facts, DateTimeFormatter format) {
        String dates = facts.breachEnd() == null || facts.breachEnd().equals(facts.breachStart())
                ? format.format(facts.breachStart())
                : format.format(facts.breachStart()) + " – " + format.format(facts.breachEnd());
        return Boolean.TRUE.equals(facts.breachDateEstimated()) ? dates + " (estimated)" : dates;
    }
}
