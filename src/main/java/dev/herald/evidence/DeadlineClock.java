package dev.herald.evidence;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The notice's clock, as the progress answer shows it: time since the breach was discovered and, per
 * law, the deadline and how far away it is, a law-enforcement hold, and the first and last delivery.
 */
public final class DeadlineClock {

    public record Deadline(Jurisdiction jurisdiction, String law, String forWhat, OffsetDateTime due,
            Long remainingSeconds, String rule) {
    }

    public record Clock(OffsetDateTime discoveredAt, long sinceDiscoverySeconds, OffsetDateTime lawEnforcementHoldUntil,
            OffsetDateTime firstDeliveryAt, OffsetDateTime lastDeliveryAt, List<Deadline> deadlines) {
    }

    private DeadlineClock() {
    }

    public static Clock of(BreachFacts facts, Set<Jurisdiction> jurisdictions, OffsetDateTime firstDelivery,
            OffsetDateTime lastDelivery, OffsetDateTime now) {
        List<Deadline> deadlines = new ArrayList<>();
        for (Jurisdiction j : jurisdictions) {
            Duration allowed = j.deadline();
            OffsetDateTime due = allowed == null ? null : facts.discoveredAt().plus(allowed);
            deadlines.add(new Deadline(j, j.law(), j.deadlineFor(), due,
                    due == null ? null : Duration.between(now, due).toSeconds(),
                    due == null ? "without unreasonable delay" : "within " + describe(allowed) + " of discovery"));
        }
        return new Clock(facts.discoveredAt(), Duration.between(facts.discoveredAt(), now).toSeconds(),
                facts.lawEnforcementHoldUntil(), firstDelivery, lastDelivery, deadlines);
    }

    private static String describe(Duration d) {
        return d.toHours() % 24 == 0 && d.toDays() > 3 ? d.toDays() + " days" : d.toHours() + " hours";
    }
}
