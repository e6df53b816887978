package dev.herald.evidence;

import java.time.Duration;
import java.util.Set;

/**
 * A breach-notification law a notice answers to. Customers fall under one by their country and
 * region; HIPAA follows the data (health information), so it covers every customer of a notice that
 * declares it.
 */
public enum Jurisdiction {

    /** GDPR Art. 34, with the content of Art. 33(3)(b)–(d); the authority is told within 72 hours (Art. 33). */
    GDPR("GDPR Art. 34", Duration.ofHours(72), "notification of the supervisory authority (Art. 33)"),
    /** California Civil Code 1798.82: "in the most expedient time possible and without unreasonable delay". */
    CALIFORNIA("California Civil Code 1798.82", null, "notification of California residents"),
    /** HIPAA 45 CFR 164.404: individuals told without unreasonable delay and within 60 days of discovery. */
    HIPAA("HIPAA 45 CFR 164.404", Duration.ofDays(60), "notification of individuals (164.404(b))"),
    /** Every other customer: the notice's own sections, without a statutory list. */
    GENERIC("general", null, "notification without unreasonable delay");

    /** The EU and EEA countries, where GDPR protects data subjects. */
    static final Set<String> EEA = Set.of("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR",
            "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO");

    private final String law;
    private final Duration deadline;
    private final String deadlineFor;

    Jurisdiction(String law, Duration deadline, String deadlineFor) {
        this.law = law;
        this.deadline = deadline;
        this.deadlineFor = deadlineFor;
    }

    public String law() {
        return law;
    }

    /** The fixed time from discovery this law allows, or null for "without unreasonable delay". */
    public Duration deadline() {
        return deadline;
    }

    public String deadlineFor() {
        return deadlineFor;
    }

    /** SQL deciding whether customer {@code c} falls under this law (HIPAA and GENERIC: by the notice). */
    String customerCondition() {
        return switch (this) {
            case GDPR -> "c.country = ANY('{" + String.join(",", EEA) + "}')";
            case CALIFORNIA -> "(c.country = 'US' AND c.region = 'CA')";
            case HIPAA, GENERIC -> "TRUE";
        };
    }
}
