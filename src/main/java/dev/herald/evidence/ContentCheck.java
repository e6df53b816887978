package dev.herald.evidence;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.herald.ops.FieldError;
import dev.herald.render.LocaleTemplate;
import dev.herald.render.RenderedEmail;

/**
 * Checks a notice's content against the laws it declares, per locale, on the templates and on a
 * rendering of each for a sample customer: what is missing is an error naming the law and the
 * element; what reads badly is a warning. Runs when the notice is created and again at dispatch.
 */
public final class ContentCheck {

    /** What the check found: errors refuse the notice; warnings are returned with it. */
    public record Findings(List<FieldError> errors, List<String> warnings) {
    }

    static final List<String> CALIFORNIA_HEADINGS = List.of("What Happened", "What Information Was Involved",
            "What We Are Doing", "What You Can Do", "For More Information");
    static final String CALIFORNIA_TITLE = "Notice of Data Breach";
    private static final List<String> CREDIT_BUREAUS = List.of("Equifax", "Experian", "TransUnion");
    /** A CSS font size: 10pt is 13.33px, or 0.83em of a 16px default. */
    private static final Pattern FONT_SIZE = Pattern.compile(
            "font-size\\s*:\\s*(?:([\\d.]+)\\s*(pt|px|em|rem|%)|(xx-small|x-small|small|smaller))", Pattern.CASE_INSENSITIVE);
    private static final Pattern FONT_TAG = Pattern.compile("<font[^>]*size\\s*=\\s*\"?[-]?[12]\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern TAG = Pattern.compile("<[^>]*>");

    private ContentCheck() {
    }

    /**
     * @param samples each locale's email rendered for a sample customer, keyed like {@code templates}
     */
    public static Findings check(Set<Jurisdiction> jurisdictions, BreachFacts facts,
            Map<String, LocaleTemplate> templates, Map<String, RenderedEmail> samples, LocalDate noticeDate) {
        List<FieldError> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (Map.Entry<String, LocaleTemplate> entry : templates.entrySet()) {
            String where = "templates." + entry.getKey();
            RenderedEmail sample = samples.get(entry.getKey());
            Text text = new Text(sample.text() + "\n" + sample.subject(), plain(sample.html()));
            DateTimeFormatter dates = DateTimeFormatter.ofLocalizedDate(FormatStyle.LONG)
                    .withLocale(Locale.forLanguageTag(entry.getKey()));
            boolean english = entry.getKey().toLowerCase(Locale.ROOT).startsWith("en");
            if (english) {
                warnings.addAll(Clarity.check(where, sample.text(), entry.getValue().sections().whatYouCanDo()));
            }
            for (Jurisdiction jurisdiction : jurisdictions) {
                switch (jurisdiction) {
                    case CALIFORNIA -> california(where, english, entry.getValue(), text, facts, dates, noticeDate,
                            errors, warnings);
                    case GDPR -> gdpr(where, entry.getValue(), text, facts, errors);
                    case HIPAA -> hipaa(where, text, facts, dates, errors);
                    case GENERIC -> {
                    }
                }
            }
        }
        if (jurisdictions.contains(Jurisdiction.HIPAA) && facts.dataTypes().stream()
                .noneMatch(t -> t == DataType.HEALTH || t == DataType.HEALTH_INSURANCE)) {
            warnings.add("facts.dataTypes: HIPAA is declared but no health information (HEALTH, HEALTH_INSURANCE) is");
        }
        if (jurisdictions.contains(Jurisdiction.GDPR) && facts.contact().email() == null && facts.contact().phone() == null) {
            errors.add(new FieldError("facts.contact", "GDPR Art. 33(3)(b) requires the contact details of the "
                    + "data-protection officer or other contact point: give an email or a phone"));
        }
        if (jurisdictions.contains(Jurisdiction.HIPAA) && !facts.contact().reachable()) {
            errors.add(new FieldError("facts.contact", "HIPAA 164.404(c)(1)(E) requires contact procedures: a "
                    + "toll-free number, an email address, a website or a postal address"));
        }
        return new Findings(errors, warnings);
    }

    private static void california(String where, boolean english, LocaleTemplate template, Text text,
            BreachFacts facts, DateTimeFormatter dates, LocalDate noticeDate, List<FieldError> errors,
            List<String> warnings) {
        String law = "California Civil Code 1798.82";
        if (!english) {
            warnings.add(where + ": " + law + "'s title and headings are checked in English only; check this "
                    + "translation by hand");
        } else {
            for (String body : List.of("html", "text")) {
                String content = body.equals("html") ? text.html() : text.text();
                if (!contains(content, CALIFORNIA_TITLE)) {
                    errors.add(new FieldError(where + "." + body, law + " requires the title \"" + CALIFORNIA_TITLE + "\""));
                }
                int at = 0;
                for (String heading : CALIFORNIA_HEADINGS) {
                    int found = indexOf(content, heading, at);
                    if (found < 0) {
                        errors.add(new FieldError(where + "." + body, (indexOf(content, heading, 0) < 0
                                ? law + " requires the heading \"" + heading + "\""
                                : law + " requires the heading \"" + heading + "\" after the ones before it, in the"
                                        + " order " + CALIFORNIA_HEADINGS)));
                    } else {
                        at = found + heading.length();
                    }
                }
            }
            if (facts.lawEnforcementDelay() && !contains(text.text(), "law enforcement")) {
                errors.add(new FieldError(where + ".text", law + " requires saying that notification was delayed by a "
                        + "law-enforcement investigation (facts.lawEnforcementDelay is true)"));
            }
        }
        mention(where, text, facts.organisation().name(), law + " requires the name of the business ("
                + "facts.organisation.name; print {breach.organisation})", errors);
        mentionContact(where, text, facts, law + " requires the business's contact details", errors);
        mention(where, text, BreachData.dates(facts, dates), law + " requires the date, estimated date or date "
                + "range of the breach (print {breach.dates})", errors);
        mention(where, text, dates.format(noticeDate), law + " requires the date of the notice (print "
                + "{breach.noticeDate})", errors);
        if (facts.dataTypes().stream().anyMatch(DataType::isGovernmentId)) {
            for (String bureau : CREDIT_BUREAUS) {
                mention(where, text, bureau, law + " requires the major credit bureaus' addresses and numbers when "
                        + "social security, driver's licence or ID card numbers were involved", errors);
            }
        }
        if (facts.dataTypes().contains(DataType.SOCIAL_SECURITY_NUMBER)
                && (facts.remedy() == null || facts.remedy().months() == null || facts.remedy().months() < 12)) {
            errors.add(new FieldError("facts.remedy", law + " requires an identity-theft prevention offer of at least "
                    + "12 months when social security numbers were involved"));
        }
        Matcher size = FONT_SIZE.matcher(template.html());
        while (size.find()) {
            if (size.group(3) != null || tooSmall(Double.parseDouble(size.group(1)), size.group(2).toLowerCase(Locale.ROOT))) {
                errors.add(new FieldError(where + ".html", law + " requires text of at least 10-point; found \""
                        + size.group() + "\""));
            }
        }
        if (FONT_TAG.matcher(template.html()).find()) {
            errors.add(new FieldError(where + ".html", law + " requires text of at least 10-point; found <font size>"));
        }
    }

    private static void gdpr(String where, LocaleTemplate template, Text text, BreachFacts facts,
            List<FieldError> errors) {
        String law = "GDPR Art. 34";
        String consequences = template.sections().likelyConsequences();
        if (consequences == null || consequences.isBlank()) {
            errors.add(new FieldError(where + ".sections.likelyConsequences", law + " with Art. 33(3)(c) requires "
                    + "the likely consequences of the breach"));
        }
        mention(where, text, facts.contact().name(), law + " with Art. 33(3)(b) requires the name of the "
                + "data-protection officer or other contact point (print {breach.contact.name})", errors);
        mentionContact(where, text, facts, law + " with Art. 33(3)(b) requires the contact point's details", errors);
    }

    private static void hipaa(String where, Text text, BreachFacts facts, DateTimeFormatter dates,
            List<FieldError> errors) {
        String law = "HIPAA 164.404(c)(1)";
        mention(where, text, BreachData.dates(facts, dates), law + "(A) requires the date of the breach (print "
                + "{breach.dates})", errors);
        mention(where, text, dates.format(facts.discoveredAt().toLocalDate()), law + "(A) requires the date of "
                + "discovery (print {breach.discovered})", errors);
        mentionContact(where, text, facts, law + "(E) requires contact procedures", errors);
    }

    private static void mention(String where, Text text, String what, String problem, List<FieldError> errors) {
        if (what != null && !(contains(text.text(), what) && contains(text.html(), what))) {
            errors.add(new FieldError(where, problem + "; the rendered notice does not show \"" + what + "\""));
        }
    }

    private static void mentionContact(String where, Text text, BreachFacts facts, String problem,
            List<FieldError> errors) {
        BreachFacts.ContactPoint c = facts.contact();
        boolean shown = false;
        for (String detail : new String[] { c.email(), c.phone(), c.website(), c.postalAddress() }) {
            shown |= detail != null && contains(text.text(), detail) && contains(text.html(), detail);
        }
        if (!shown) {
            errors.add(new FieldError(where, problem + "; the rendered notice shows none of the contact's email, "
                    + "phone, website or postal address (print {breach.contact.email} or another)"));
        }
    }

    private static boolean tooSmall(double value, String unit) {
        return switch (unit) {
            case "pt" -> value < 10;
            case "px" -> value < 13.33;
            case "em", "rem" -> value < 0.83;
            default -> value < 83; // %
        };
    }

    /** The rendered text and the HTML's text, for finding what a reader would see. */
    private record Text(String text, String html) {
    }

    static String plain(String html) {
        return TAG.matcher(html).replaceAll(" ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&quot;", "\"").replace("&#39;", "'").replace("&#x27;", "'").replace("&nbsp;", " ")
                .replaceAll("\\s+", " ");
    }

    private static boolean contains(String text, String what) {
        return indexOf(text, what, 0) >= 0;
    }

    private static int indexOf(String text, String what, int from) {
        return text.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ")
                .indexOf(what.toLowerCase(Locale.ROOT).replaceAll("\\s+", " "), from);
    }
}
